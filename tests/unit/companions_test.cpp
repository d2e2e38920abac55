// Companion units: their names and specs (core/units/companion_units) and how the verbs keep
// them (core/lifecycle/companions) over the in-memory manager.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/base/files.hpp"
#include "core/units/companion_units.hpp"
#include "core/units/unit_names.hpp"
#include "lifecycle_parts_fixture.hpp"

namespace pmctl::test {
namespace {

using core::CompanionKind;
using ::testing::ElementsAre;

TEST(CompanionUnits, AreNamedAfterTheEscapedAppAndTheKind) {
  EXPECT_EQ(core::companion_base("my-api", CompanionKind::Cron), "pmctl-my\\x2dapi-cron");
  EXPECT_THAT(core::companion_units("api", CompanionKind::Cron),
              ElementsAre("pmctl-api-cron.timer", "pmctl-api-cron.service"));
  EXPECT_THAT(core::companion_units("api", CompanionKind::Cron, true),
              ElementsAre("pmctl-api-cron-s.timer", "pmctl-api-cron-s.service"));
}

TEST(CompanionUnits, AreToldFromInstancesAndOtherUnits) {
  for (const char* unit : {"pmctl-api-cron.timer", "pmctl-api-cron.service",
                           "pmctl-my\\x2dapi-cron-s.timer", "pmctl-api-cron-s.service"}) {
    EXPECT_TRUE(core::is_companion_unit(unit)) << unit;
    EXPECT_FALSE(core::parse_service_unit_name(unit)) << unit << " is no instance";
  }
  for (const char* unit : {"pmctl-api-0.service", "pmctl-api-cron.socket", "pmctl-api-lb.service",
                           "pmctl-a-b-cron.timer", "pmctl-api.slice", "other-api-cron.timer",
                           "pmctl-api\\x2dcron-0.service"})
    EXPECT_FALSE(core::is_companion_unit(unit)) << unit;
}

core::AppDecl with_cron(const std::string& name, const std::string& pattern) {
  core::AppDecl d;
  d.name = name;
  d.cron_restart = pattern;
  return d;
}

std::vector<std::string> exec_argv(const core::UnitSpec& spec) {
  const auto* value = spec.find("ExecStartEx");
  return value ? std::get<std::vector<core::ExecCommand>>(*value).at(0).argv
               : std::vector<std::string>{};
}

TEST(CompanionUnits, TheCronTimerTriggersAOneshotThatRestartsOrReloadsThroughPmctl) {
  const core::CompanionContext ctx{core::Scope::System, "/usr/bin/pmctl", false};
  const core::UnitSpec fork =
      core::companion_spec(with_cron("api", "0 3 1 * MON"), CompanionKind::Cron, ctx);
  EXPECT_EQ(fork.name, "pmctl-api-cron.timer");
  std::vector<std::string> calendars;
  for (const auto& p : fork.properties)
    if (p.name == "OnCalendar") calendars.push_back(std::get<std::string>(p.value));
  EXPECT_THAT(calendars, ElementsAre("*-*-1 3:0:0", "Mon *-*-* 3:0:0"));
  EXPECT_EQ(std::get<std::uint64_t>(*fork.find("AccuracyUSec")), 1'000'000u);
  ASSERT_EQ(fork.aux.size(), 1u);
  const core::UnitSpec& service = fork.aux[0];
  EXPECT_EQ(service.name, "pmctl-api-cron.service");
  EXPECT_EQ(std::get<std::string>(*service.find("Type")), "oneshot");
  EXPECT_EQ(std::get<std::string>(*service.find("Slice")), "pmctl-api.slice");
  EXPECT_THAT(exec_argv(service), ElementsAre("/usr/bin/pmctl", "--system", "restart", "api"));

  core::AppDecl pool = with_cron("jobs", "*/5 * * * *");
  pool.cluster.enabled = true;
  pool.cluster.instances = 3;
  const core::CompanionContext user{core::Scope::User, "/opt/pmctl", true};
  const core::UnitSpec reload = core::companion_spec(pool, CompanionKind::Cron, user);
  EXPECT_EQ(reload.name, "pmctl-jobs-cron-s.timer");
  EXPECT_THAT(exec_argv(reload.aux.at(0)), ElementsAre("/opt/pmctl", "--user", "reload", "jobs"));
}

core::AppDecl watching(const std::string& name) {
  core::AppDecl d;
  d.name = name;
  d.cwd = "/srv/" + name;
  d.watch.enabled = true;
  return d;
}

TEST(CompanionUnits, TheWatcherRunsPmctlWatchInTheSliceWithPm2sSettings) {
  const core::CompanionContext ctx{core::Scope::System, "/usr/bin/pmctl", false,
                                   "/usr/libexec/pmctl-memguard", "/usr/libexec/pmctl-watch"};
  const core::UnitSpec plain = core::companion_spec(watching("api"), CompanionKind::Watch, ctx);
  EXPECT_EQ(plain.name, "pmctl-api-watch.service");
  EXPECT_TRUE(plain.aux.empty());
  EXPECT_EQ(std::get<std::string>(*plain.find("Slice")), "pmctl-api.slice");
  EXPECT_EQ(std::get<std::string>(*plain.find("Restart")), "on-failure");
  EXPECT_EQ(std::get<std::vector<std::string>>(*plain.find("PartOf")),
            std::vector<std::string>{"pmctl-api.slice"});
  EXPECT_EQ(plain.find("BindsTo"), nullptr) << "a restart stops the instance it would bind to";
  EXPECT_THAT(exec_argv(plain),
              ElementsAre("/usr/libexec/pmctl-watch", "--pmctl", "/usr/bin/pmctl", "--name", "api",
                          "--action", "restart", "--path", "/srv/api", "--follow-symlinks"));

  core::AppDecl pool = watching("jobs");
  pool.cluster.enabled = true;
  pool.cluster.instances = 2;
  pool.watch = {.enabled = true,
                .paths = {"/srv/jobs/src", "/srv/lib"},
                .ignore = {"*.log", "tmp"},
                .delay_ms = 1500,
                .follow_symlinks = false};
  const core::CompanionContext user{core::Scope::User, "/opt/pmctl", true, "", "/opt/watch"};
  const core::UnitSpec saved = core::companion_spec(pool, CompanionKind::Watch, user);
  EXPECT_EQ(saved.name, "pmctl-jobs-watch-s.service");
  EXPECT_THAT(exec_argv(saved),
              ElementsAre("/opt/watch", "--pmctl", "/opt/pmctl", "--name", "jobs", "--action",
                          "reload", "--user", "--path", "/srv/jobs/src", "--path", "/srv/lib",
                          "--ignore", "*.log", "--ignore", "tmp", "--delay-ms", "1500"));
  EXPECT_TRUE(core::is_companion_unit("pmctl-jobs-watch.service"));
  EXPECT_TRUE(core::is_companion_unit("pmctl-jobs-watch-s.service"));
  EXPECT_FALSE(core::is_companion_unit("pmctl-jobs-watch.timer"));
}

class CompanionsTest : public PartsTest {
 protected:
  int transient_starts(const std::string& unit) {
    return static_cast<int>(
        std::count(manager_.calls.begin(), manager_.calls.end(), "start_transient " + unit));
  }
  bool loaded(const std::string& unit) { return manager_.units.count(unit) > 0; }
  std::filesystem::path stamp(const std::string& unit) {
    return dir_ / "run" / "companions" / unit;
  }
};

TEST_F(CompanionsTest, EnsureMakesTheTimerOnceAndAgainOnlyWhenThePatternChanges) {
  core::AppDecl d = decl("api");
  d.cron_restart = "0 3 * * *";
  companions_.ensure(d);
  companions_.ensure(d);
  EXPECT_EQ(transient_starts("pmctl-api-cron.timer"), 1);
  EXPECT_TRUE(std::filesystem::exists(stamp("pmctl-api-cron.timer")));
  d.cron_restart = "0 4 * * *";
  companions_.ensure(d);
  EXPECT_GE(transient_starts("pmctl-api-cron.timer"), 2);  // the fake refuses the first: loaded
  EXPECT_EQ(std::get<std::string>(*manager_.specs.at("pmctl-api-cron.timer").find("OnCalendar")),
            "*-*-* 4:0:0");
  companions_.ensure(d);
  EXPECT_EQ(std::get<std::string>(*manager_.specs.at("pmctl-api-cron.timer").find("OnCalendar")),
            "*-*-* 4:0:0");
  d.cron_restart.clear();
  companions_.ensure(d);
  EXPECT_FALSE(loaded("pmctl-api-cron.timer"));
  EXPECT_FALSE(std::filesystem::exists(stamp("pmctl-api-cron.timer")));
}

TEST_F(CompanionsTest, ATimerWhoseServiceRunsNowIsLeftAsItIs) {
  core::AppDecl d = decl("api");
  d.cron_restart = "0 3 * * *";
  companions_.ensure(d);
  manager_.units["pmctl-api-cron.service"] = manager_.running("pmctl-api-cron.service");
  manager_.units["pmctl-api-cron.service"].active_state = "activating";
  d.cron_restart = "0 4 * * *";
  companions_.ensure(d);
  EXPECT_EQ(transient_starts("pmctl-api-cron.timer"), 1);
}

TEST_F(CompanionsTest, StopKeepsTheTimerDeleteRemovesIt) {
  core::AppDecl d = decl("api");
  d.cron_restart = "*/2 * * * * *";
  const int id = new_apps_.start_fork(d, false);
  EXPECT_TRUE(loaded("pmctl-api-cron.timer"));
  instances_.stop(id);
  EXPECT_TRUE(loaded("pmctl-api-cron.timer")) << "PM2 keeps a stopped app's cron job";
  instances_.remove(id);
  EXPECT_FALSE(loaded("pmctl-api-cron.timer"));
  EXPECT_FALSE(std::filesystem::exists(stamp("pmctl-api-cron.timer")));
}

TEST_F(CompanionsTest, StopEndsWatchingARestartWatchesAgainDeleteRemovesTheWatcher) {
  core::AppDecl d = decl("api");
  d.watch.enabled = true;
  const int id = new_apps_.start_fork(d, false);
  EXPECT_TRUE(loaded("pmctl-api-watch.service"));
  instances_.stop(id);
  EXPECT_FALSE(loaded("pmctl-api-watch.service")) << "PM2's stop ends watching";
  instances_.restart(id);
  EXPECT_TRUE(loaded("pmctl-api-watch.service"));
  instances_.remove(id);
  EXPECT_FALSE(loaded("pmctl-api-watch.service"));
  EXPECT_FALSE(std::filesystem::exists(stamp("pmctl-api-watch.service")));
}

TEST_F(CompanionsTest, ARenameMovesTheTimerToTheNewName) {
  core::AppDecl d = decl("old");
  d.cron_restart = "0 3 * * *";
  const int id = new_apps_.start_fork(d, false);
  core::AppDecl renamed = d;
  renamed.name = "new";
  instances_.restart_as(id, renamed);
  EXPECT_FALSE(loaded("pmctl-old-cron.timer"));
  EXPECT_TRUE(loaded("pmctl-new-cron.timer"));
  // The service's command went to its runtime drop-in (RuntimeUnits), as an instance's does.
  const auto dropin = dir_ / "units" / "pmctl-new-cron.service.d" / "pmctl-exec.conf";
  EXPECT_THAT(core::read_file_if_any(dropin).value_or(""),
              ::testing::HasSubstr("\"--system\" \"restart\" \"new\""));
}

TEST_F(CompanionsTest, AFailedClusterStartTakesTheTimerBack) {
  core::AppDecl d = cluster("web", 2);
  d.cron_restart = "0 3 * * *";
  manager_.fail_unit = core::service_unit_name("web", 1);
  EXPECT_ANY_THROW(new_apps_.start_cluster(d));
  EXPECT_FALSE(loaded("pmctl-web-cron.timer"));
}

}  // namespace
}  // namespace pmctl::test
