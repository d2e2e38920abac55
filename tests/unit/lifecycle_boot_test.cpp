// save, resurrect and the saved units at run time, over the in-memory manager.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/lifecycle/lifecycle.hpp"
#include "core/state/boot_state.hpp"
#include "core/state/dump.hpp"
#include "core/types/error.hpp"
#include "fake_manager.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class LifecycleBootTest : public ::testing::Test {
 protected:
  LifecycleBootTest()
      : dir_(fs::temp_directory_path() /
             ("pmctl-boot-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))),
        registry_(dir_ / "state"),
        lifecycle_(registry_, manager_, Scope::System, tools()) {}
  ~LifecycleBootTest() override { fs::remove_all(dir_); }

  Tools tools() {
    Tools t;
    t.unit_dir = (dir_ / "run-units").string();
    t.boot_unit_dir = (dir_ / "etc").string();
    t.runtime_dir = (dir_ / "run").string();
    return t;
  }

  AppDecl decl(const std::string& name) {
    AppDecl d;
    d.name = name;
    d.script = "/srv/" + name + ".sh";
    d.cwd = "/srv";
    d.env["TOKEN"] = "t0p";
    return d;
  }

  bool calls_contain(const std::string& call) {
    return std::find(manager_.calls.begin(), manager_.calls.end(), call) != manager_.calls.end();
  }
  fs::path boot_file(const std::string& name) { return dir_ / "etc" / name; }
  fs::path standby(const std::string& unit) { return dir_ / "run" / "standby" / unit; }

  /// What a reboot leaves: no units, an empty runtime directory; then the boot starts the saved
  /// ones.
  void reboot() {
    manager_.units.clear();
    fs::remove_all(dir_ / "run");
    fs::create_directories(dir_ / "etc" / "multi-user.target.wants");
    fs::create_symlink(boot_file("pmctl.target"),
                       dir_ / "etc" / "multi-user.target.wants" / "pmctl.target");
    ASSERT_TRUE(
        adopt_boot_set(registry_, (dir_ / "run").string(), (dir_ / "etc").string(), Scope::System));
    for (const auto& rec : registry_.load().apps)
      manager_.units[lifecycle_.unit_of(rec)] = manager_.running(lifecycle_.unit_of(rec));
    manager_.calls.clear();
  }

  static inline int counter_ = 0;
  fs::path dir_;
  Registry registry_;
  test::FakeManager manager_;
  Lifecycle lifecycle_;
};

TEST_F(LifecycleBootTest, SaveWritesTheUnitsTheDumpAndTheSavedEnvironments) {
  lifecycle_.start_new(decl("api"), false);
  const int batch = lifecycle_.start_new(decl("batch"), false);
  lifecycle_.stop(batch);
  manager_.calls.clear();
  EXPECT_EQ(lifecycle_.save(false), 2);
  for (const char* f :
       {"pmctl-api-0-s.service", "pmctl-batch-1-s.service", "pmctl-api.slice", "pmctl.target"})
    EXPECT_TRUE(fs::exists(boot_file(f))) << f;
  EXPECT_TRUE(calls_contain("reload_daemon"));
  const auto dump = read_dump(dir_ / "state");
  ASSERT_TRUE(dump.has_value());
  ASSERT_EQ(dump->apps.size(), 2u);
  EXPECT_FALSE(dump->apps[0].stopped);
  EXPECT_TRUE(dump->apps[1].stopped);
  const fs::path env = saved_env_path((dir_ / "state").string(), 0);
  EXPECT_THAT(slurp(env), ::testing::HasSubstr("TOKEN='t0p'"));
  EXPECT_THAT(slurp(env), ::testing::HasSubstr("pm_id='0'")) << slurp(env);
  EXPECT_EQ(fs::status(env).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  // The transient units run the apps now: the saved ones must not start beside them.
  EXPECT_TRUE(fs::exists(standby("pmctl-api-0-s.service")));
  EXPECT_TRUE(fs::exists(standby("pmctl-batch-1-s.service")));
}

TEST_F(LifecycleBootTest, AnEmptyListIsSavedOnlyWhenForced) {
  EXPECT_EQ(lifecycle_.save(false), -1);
  EXPECT_FALSE(fs::exists(boot_file("pmctl.target")));
  EXPECT_FALSE(fs::exists(dump_path(dir_ / "state")));
  EXPECT_EQ(lifecycle_.save(true), 0);
  EXPECT_THAT(slurp(boot_file("pmctl.target")), ::testing::Not(::testing::HasSubstr("Wants=")));
}

TEST_F(LifecycleBootTest, AppsDeletedSinceTheLastSaveLoseTheirUnitsOnTheNextSave) {
  lifecycle_.start_new(decl("api"), false);
  const int batch = lifecycle_.start_new(decl("batch"), false);
  lifecycle_.save(false);
  lifecycle_.remove(batch);
  EXPECT_TRUE(fs::exists(boot_file("pmctl-batch-1-s.service")));  // PM2: until the next save
  lifecycle_.save(false);
  EXPECT_FALSE(fs::exists(boot_file("pmctl-batch-1-s.service")));
  EXPECT_FALSE(fs::exists(saved_env_path((dir_ / "state").string(), batch)));
  EXPECT_TRUE(fs::exists(boot_file("pmctl-api-0-s.service")));
}

TEST_F(LifecycleBootTest, SavingTwiceWritesTheSameFiles) {
  lifecycle_.start_new(decl("api"), false);
  lifecycle_.save(false);
  std::map<std::string, std::string> first;
  for (const auto& e : fs::directory_iterator(dir_ / "etc"))
    first[e.path().filename()] = slurp(e.path());
  lifecycle_.save(false);
  std::map<std::string, std::string> second;
  for (const auto& e : fs::directory_iterator(dir_ / "etc"))
    second[e.path().filename()] = slurp(e.path());
  EXPECT_EQ(first, second);
  EXPECT_EQ(slurp(dump_path(dir_ / "state")), slurp(dump_bak_path(dir_ / "state")));
}

TEST_F(LifecycleBootTest, AFailedSaveLeavesThePreviousSavedStateInPlace) {
  lifecycle_.start_new(decl("api"), false);
  lifecycle_.save(false);
  const std::string target = slurp(boot_file("pmctl.target"));
  const std::string dump = slurp(dump_path(dir_ / "state"));
  lifecycle_.start_new(decl("web"), false);
  fs::create_directories(boot_file("pmctl-web-1-s.service"));  // cannot be replaced by a file
  EXPECT_ANY_THROW(lifecycle_.save(false));
  EXPECT_EQ(slurp(boot_file("pmctl.target")), target);
  EXPECT_EQ(slurp(dump_path(dir_ / "state")), dump);
  EXPECT_FALSE(fs::exists(saved_env_path((dir_ / "state").string(), 1)));
  fs::remove(boot_file("pmctl-web-1-s.service"));
  EXPECT_EQ(lifecycle_.save(false), 2);
}

TEST_F(LifecycleBootTest, AfterABootAnUnchangedAppRestartsOnItsSavedUnit) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.save(false);
  reboot();
  EXPECT_EQ(registry_.load().find(id)->slot, Slot::Saved);
  EXPECT_EQ(lifecycle_.views({id}).at(0).status, Status::Online);
  lifecycle_.restart(id);
  EXPECT_TRUE(calls_contain("start pmctl-api-0-s.service"));
  EXPECT_FALSE(calls_contain("start_transient pmctl-api-0.service"));
  EXPECT_FALSE(fs::exists(standby("pmctl-api-0-s.service")));
  EXPECT_EQ(lifecycle_.views({id}).at(0).status, Status::Online);
}

TEST_F(LifecycleBootTest, AChangedAppMovesToATransientUnitAndItsSavedUnitStandsBy) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.save(false);
  reboot();
  registry_.update([&](RegistryData& d) { d.find(id)->decl.env["TOKEN"] = "new"; });
  lifecycle_.restart(id);
  EXPECT_TRUE(calls_contain("stop pmctl-api-0-s.service"));
  EXPECT_TRUE(calls_contain("start_transient pmctl-api-0.service"));
  EXPECT_TRUE(fs::exists(standby("pmctl-api-0-s.service")));
  EXPECT_EQ(registry_.load().find(id)->slot, Slot::A);
  EXPECT_EQ(manager_.units.count("pmctl-api-0-s.service"), 0u);
}

TEST_F(LifecycleBootTest, StopAndDeleteOfASavedUnitPutItOnStandby) {
  const int id = lifecycle_.start_new(decl("api"), false);
  lifecycle_.save(false);
  reboot();
  lifecycle_.stop(id);
  EXPECT_TRUE(fs::exists(standby("pmctl-api-0-s.service")));
  lifecycle_.start(id);
  EXPECT_FALSE(fs::exists(standby("pmctl-api-0-s.service")));
  lifecycle_.remove(id);
  EXPECT_TRUE(fs::exists(standby("pmctl-api-0-s.service")));
}

TEST_F(LifecycleBootTest, ResurrectBringsEachSavedNameBackOnceWithItsIdAndState) {
  lifecycle_.start_new(decl("api"), false);
  const int batch = lifecycle_.start_new(decl("batch"), false);
  lifecycle_.stop(batch);
  lifecycle_.save(false);
  for (int id : registry_.load().ids()) lifecycle_.remove(id);
  std::string source;
  EXPECT_EQ(lifecycle_.resurrect(source), (std::vector<std::string>{"api", "batch"}));
  EXPECT_EQ(source, dump_path(dir_ / "state").string());
  auto data = registry_.load();
  ASSERT_EQ(data.apps.size(), 2u);
  EXPECT_EQ(data.find(0)->decl.name, "api");
  EXPECT_EQ(data.find(0)->slot, Slot::Saved);
  EXPECT_TRUE(calls_contain("start pmctl-api-0-s.service"));
  EXPECT_EQ(lifecycle_.views({0, 1}).at(1).status, Status::Stopped);
  // Again: api runs, so it is skipped; batch is stopped, so it is registered again (once).
  lifecycle_.resurrect(source);
  EXPECT_EQ(registry_.load().apps.size(), 2u);
}

TEST_F(LifecycleBootTest, ResurrectWithoutADumpDoesNothing) {
  std::string source = "x";
  EXPECT_TRUE(lifecycle_.resurrect(source).empty());
  EXPECT_EQ(source, "");
}

TEST_F(LifecycleBootTest, ClearDumpEmptiesTheDumpAndRemovesTheSavedUnits) {
  lifecycle_.start_new(decl("api"), false);
  lifecycle_.save(false);
  lifecycle_.clear_dump();
  EXPECT_FALSE(fs::exists(boot_file("pmctl-api-0-s.service")));
  EXPECT_TRUE(read_dump(dir_ / "state")->apps.empty());
  EXPECT_EQ(registry_.load().apps.size(), 1u);  // what runs is untouched
}

}  // namespace
}  // namespace pmctl::core
