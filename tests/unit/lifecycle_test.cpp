#include "core/lifecycle/lifecycle.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/base/clock.hpp"
#include "core/types/error.hpp"
#include "fake_manager.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest()
      : dir_(fs::temp_directory_path() /
             ("pmctl-lifecycle-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))),
        registry_(dir_),
        lifecycle_(registry_, manager_, Scope::System, tools()) {}
  Tools tools() {
    Tools t;
    t.unit_dir = (dir_ / "units").string();
    return t;
  }
  ~LifecycleTest() override { fs::remove_all(dir_); }

  AppDecl decl(const std::string& name) {
    AppDecl d;
    d.name = name;
    d.script = "/srv/" + name + ".js";
    d.interpreter = "/usr/bin/node";
    d.cwd = "/srv";
    return d;
  }

  static inline int counter_ = 0;
  fs::path dir_;
  Registry registry_;
  test::FakeManager manager_;
  Lifecycle lifecycle_;
};

TEST_F(LifecycleTest, StartNewRegistersTheAppAndStartsItsUnit) {
  const int id = lifecycle_.start_new(decl("api"), false);
  EXPECT_EQ(id, 0);
  ASSERT_EQ(registry_.load().apps.size(), 1u);
  EXPECT_EQ(manager_.units.count("pmctl-api-0.service"), 1u);
  EXPECT_TRUE(fs::exists(registry_.env_file(0)));
  const auto views = lifecycle_.views(registry_.load().ids());
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].status, Status::Online);
}

TEST_F(LifecycleTest, StartNewWithoutAutostartRegistersTheAppStopped) {
  AppDecl d = decl("api");
  d.autostart = false;
  const int id = lifecycle_.start_new(d, false);
  ASSERT_EQ(registry_.load().apps.size(), 1u);
  EXPECT_TRUE(manager_.units.empty());
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Stopped);
  lifecycle_.start(id);
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Online);
}

TEST_F(LifecycleTest, SmartStartWithoutAutostartOnlyUpdatesTheStoppedApp) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.stop(id);
  AppDecl d = decl("api");
  d.autostart = false;
  d.args = {"--new"};
  EXPECT_EQ(lifecycle_.start_new(d, false), id);
  EXPECT_EQ(registry_.load().find(id)->decl.args, std::vector<std::string>{"--new"});
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Stopped);
}

TEST_F(LifecycleTest, AFailedStartLeavesNothingRegisteredAndNoFailedUnit) {
  manager_.fail_next_start = true;
  EXPECT_THROW(lifecycle_.start_new(decl("api"), false), ManagerError);
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_TRUE(manager_.units.empty());
  EXPECT_FALSE(fs::exists(registry_.env_file(0)));
}

TEST_F(LifecycleTest, StartingARunningNameWithoutForceChangesNothing) {
  lifecycle_.start_new(decl("api"), false);
  const auto calls = manager_.calls.size();
  EXPECT_THROW(lifecycle_.start_new(decl("api"), false), Error);
  EXPECT_EQ(registry_.load().apps.size(), 1u);
  // Only queries happened, no job.
  EXPECT_EQ(manager_.calls.size(), calls);
  EXPECT_EQ(lifecycle_.start_new(decl("api"), true), 1);
}

TEST_F(LifecycleTest, StartingAStoppedNameStartsTheSameAppAgain) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.stop(id);
  EXPECT_EQ(lifecycle_.start_new(decl("api"), false), id);
  EXPECT_EQ(registry_.load().apps.size(), 1u);
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Online);
}

TEST_F(LifecycleTest, ManualRestartOfAnOnlineAppCountsOnceAndKeepsAutomaticOnes) {
  const int id = lifecycle_.start_new(decl("api"), false);
  manager_.units["pmctl-api-0.service"].n_restarts = 3;
  lifecycle_.restart(id);
  EXPECT_EQ(registry_.load().find(id)->restarts, 4u);
  EXPECT_EQ(lifecycle_.views({id})[0].restarts, 4u);
}

TEST_F(LifecycleTest, RestartOfAStoppedAppDoesNotCount) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.stop(id);
  lifecycle_.restart(id);
  EXPECT_EQ(lifecycle_.views({id})[0].restarts, 0u);
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Online);
}

TEST_F(LifecycleTest, StopClearsAFailedUnitSoTheAppEndsStopped) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.stop(id);
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Stopped);
  EXPECT_EQ(manager_.calls.back(), "reset_failed pmctl-api-0.service");
}

TEST_F(LifecycleTest, RecordsTheBootThatStartedAnAppAndForgetsItWhenTheAppIsStopped) {
  const int id = lifecycle_.start_new(decl("api"), false);
  EXPECT_EQ(registry_.load().find(id)->boot_id, current_boot_id());
  lifecycle_.stop(id);
  EXPECT_EQ(registry_.load().find(id)->boot_id, "");
  // An app a reboot took keeps the earlier boot's id until it is started in this one.
  registry_.update([&](RegistryData& d) { d.find(id)->boot_id = "an-earlier-boot"; });
  lifecycle_.start(id);
  EXPECT_EQ(registry_.load().find(id)->boot_id, current_boot_id());
}

TEST_F(LifecycleTest, RefusesABadNamespaceBeforeRegisteringAnything) {
  AppDecl d = decl("api");
  d.ns = "prod\nfake";
  EXPECT_THROW(lifecycle_.start_new(d, false), Error);
  d.ns = "42";
  EXPECT_THROW(lifecycle_.start_new(d, false), Error);
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_TRUE(manager_.calls.empty());
}

TEST_F(LifecycleTest, StartingAnErroredAppReplacesItsFailedUnit) {
  const int id = lifecycle_.start_new(decl("api"), false);
  auto failed = test::FakeManager::failed("pmctl-api-0.service");
  failed.n_restarts = 16;
  failed.result = "start-limit-hit";
  manager_.units["pmctl-api-0.service"] = failed;
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Errored);
  lifecycle_.start(id);
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Online);
  EXPECT_EQ(registry_.load().find(id)->restarts, 15u);
}

TEST_F(LifecycleTest, ResetZeroesTheCountAndSystemdsNRestartsOfARunningApp) {
  const int id = lifecycle_.start_new(decl("api"), false);
  manager_.units["pmctl-api-0.service"].n_restarts = 3;
  lifecycle_.restart(id);  // 3 automatic + 1 manual in the registry
  manager_.units["pmctl-api-0.service"].n_restarts = 2;
  ASSERT_EQ(lifecycle_.views({id})[0].restarts, 6u);
  registry_.update([&](RegistryData& d) { d.find(id)->created_at_ms = 1; });
  lifecycle_.reset({id});
  EXPECT_EQ(manager_.calls.back(), "reset_failed pmctl-api-0.service");
  const auto view = lifecycle_.views({id})[0];
  EXPECT_EQ(view.restarts, 0u);
  EXPECT_EQ(view.status, Status::Online);
  EXPECT_GT(view.record.created_at_ms, 1u);
  manager_.units["pmctl-api-0.service"].n_restarts = 1;  // it crashes again
  EXPECT_EQ(lifecycle_.views({id})[0].restarts, 1u);
}

TEST_F(LifecycleTest, ResetKeepsAnErroredAppErroredAndHidesItsCountUntilItStartsAgain) {
  const int id = lifecycle_.start_new(decl("api"), false);
  auto failed = test::FakeManager::failed("pmctl-api-0.service");
  failed.n_restarts = 16;
  failed.result = "start-limit-hit";
  manager_.units["pmctl-api-0.service"] = failed;
  ASSERT_EQ(lifecycle_.views({id})[0].restarts, 15u);
  lifecycle_.reset({id});
  EXPECT_NE(manager_.calls.back(), "reset_failed pmctl-api-0.service");
  EXPECT_EQ(lifecycle_.views({id})[0].status, Status::Errored);
  EXPECT_EQ(lifecycle_.views({id})[0].restarts, 0u);
  EXPECT_EQ(registry_.load().find(id)->restarts_hidden, 15u);
  lifecycle_.start(id);  // the hidden restarts are not folded in
  EXPECT_EQ(registry_.load().find(id)->restarts, 0u);
  EXPECT_EQ(registry_.load().find(id)->restarts_hidden, 0u);
  manager_.units["pmctl-api-0.service"].n_restarts = 2;
  EXPECT_EQ(lifecycle_.views({id})[0].restarts, 2u);
}

TEST_F(LifecycleTest, ResetOfAStoppedAppTouchesNoUnit) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.restart(id);
  lifecycle_.stop(id);
  manager_.calls.clear();
  lifecycle_.reset({id});
  EXPECT_TRUE(manager_.calls.empty());
  EXPECT_EQ(registry_.load().find(id)->restarts, 0u);
}

TEST_F(LifecycleTest, SendSignalKillsTheMainProcessOfEachRunningInstanceOnly) {
  const int a = lifecycle_.start_new(decl("api"), false);
  const int b = lifecycle_.start_new(decl("api"), true);
  const int c = lifecycle_.start_new(decl("api"), true);
  for (auto& [name, state] : manager_.units) state.main_pid = 4242;
  lifecycle_.stop(b);
  manager_.calls.clear();
  EXPECT_EQ(lifecycle_.send_signal({a, b, c}, 12), (std::vector<int>{a, c}));
  EXPECT_EQ(manager_.calls, (std::vector<std::string>{"kill pmctl-api-0.service 12",
                                                      "kill pmctl-api-2.service 12"}));
}

TEST_F(LifecycleTest, SendSignalToAnAppThatDoesNotRunIsRefused) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.stop(id);
  manager_.calls.clear();
  try {
    lifecycle_.send_signal({id}, 12);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "'api' (id 0) is not running: no SIGUSR2 sent");
  }
  EXPECT_TRUE(manager_.calls.empty());
}

TEST_F(LifecycleTest, RemoveStopsTheUnitAndForgetsTheApp) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.remove(id);
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_TRUE(manager_.units.empty());
  EXPECT_FALSE(fs::exists(registry_.env_file(id)));
}

// systemd 252 cannot read back its transient units' commands on daemon-reload: pmctl writes them
// as a drop-in after each start, and clears it before the next start and at delete.
TEST_F(LifecycleTest, WritesTheCommandsAsADropInAfterEachStartAndRemovesItWithTheApp) {
  const int id = lifecycle_.start_new(decl("api"), false);
  const fs::path dropin = dir_ / "units" / "pmctl-api-0.service.d" / "pmctl-exec.conf";
  ASSERT_TRUE(fs::exists(dropin));
  std::ifstream in(dropin);
  const std::string text(std::istreambuf_iterator<char>(in), {});
  EXPECT_THAT(text,
              ::testing::HasSubstr("[Service]\nExecStart=\nExecStart=\":/usr/bin/systemd-cat\""))
      << text;
  EXPECT_THAT(text, ::testing::HasSubstr("\"/srv/api.js\"")) << text;
  lifecycle_.remove(id);
  EXPECT_FALSE(fs::exists(dropin.parent_path()));
}

TEST_F(LifecycleTest, FlushSetsTheWatermarkOfTheChosenApps) {
  const int a = lifecycle_.start_new(decl("a"), false);
  const int b = lifecycle_.start_new(decl("b"), false);
  lifecycle_.flush_logs({b}, 1234);
  EXPECT_EQ(registry_.load().find(a)->log_watermark_usec, 0u);
  EXPECT_EQ(registry_.load().find(b)->log_watermark_usec, 1234u);
}

}  // namespace
}  // namespace pmctl::core
