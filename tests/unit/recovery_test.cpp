// A damaged or missing registry.json: the apps come back from the live units, the record files
// and the dump (core/lifecycle/recovery, core/state/record_files), and `pmctl repair` writes
// them back.
#include "core/lifecycle/recovery.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/lifecycle/lifecycle.hpp"
#include "core/state/dump.hpp"
#include "core/state/record_files.hpp"
#include "core/types/error.hpp"
#include "fake_manager.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string text_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RecoveryTest : public ::testing::Test {
 protected:
  RecoveryTest()
      : dir_(fs::temp_directory_path() /
             ("pmctl-recovery-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))),
        registry_(dir_),
        lifecycle_(registry_, manager_, Scope::System, Tools{}) {
    registry_.set_live(live_sources(
        registry_, [this]() -> Manager& { return manager_; },
        [this](const std::string& problem, const Recovery& r) {
          problems_.push_back(problem);
          recovered_ = r.apps.size();
        }));
  }
  ~RecoveryTest() override { fs::remove_all(dir_); }

  AppDecl decl(const std::string& name, const std::string& ns = "default") {
    AppDecl d;
    d.name = name;
    d.ns = ns;
    d.script = "/srv/" + name + ".js";
    d.interpreter = "/usr/bin/node";
    d.args = {"--port", "3000"};
    d.cwd = "/srv";
    d.env = {{"TOKEN", name + "-secret"}};
    d.restart.max_restarts = 5;
    return d;
  }

  fs::path registry_json() const { return dir_ / "registry.json"; }

  void damage(const std::string& content) { std::ofstream(registry_json()) << content; }

  /// ids, names, namespaces and declarations: what a rebuild must give back.
  static std::vector<std::pair<int, AppDecl>> essence(const RegistryData& data) {
    std::vector<std::pair<int, AppDecl>> out;
    for (const auto& app : data.apps) out.emplace_back(app.id, app.decl);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

  static inline int counter_ = 0;
  fs::path dir_;
  Registry registry_;
  test::FakeManager manager_;
  Lifecycle lifecycle_;
  std::vector<std::string> problems_;
  std::size_t recovered_ = 0;
};

TEST_F(RecoveryTest, EveryUpdateWritesEachChangedAppsRecordWithoutItsEnvironment) {
  const int id = lifecycle_.start_new(decl("api", "prod"), false);
  const auto records = read_record_files(dir_);
  ASSERT_EQ(records.records.size(), 1u);
  EXPECT_EQ(records.records[0].id, id);
  EXPECT_EQ(records.records[0].decl.ns, "prod");
  EXPECT_TRUE(records.records[0].decl.env.empty());
  EXPECT_THAT(text_of(record_file(dir_, id)), ::testing::Not(HasSubstr("api-secret")));
  lifecycle_.remove(id);
  EXPECT_FALSE(fs::exists(record_file(dir_, id)));
}

TEST_F(RecoveryTest, ADamagedRegistryIsShownFromTheUnitsAndRecordFilesWithAWarning) {
  lifecycle_.start_new(decl("api", "prod"), false);
  lifecycle_.start_new(decl("worker"), false);
  const auto before = essence(registry_.load());
  for (const std::string damaged :
       {std::string("{\"apps\": [ {\"id\": 0,"), std::string("\x01\x02garbage"),
        std::string("{\"apps\": 42}"), std::string("[1, 2]")}) {
    damage(damaged);
    problems_.clear();
    EXPECT_EQ(essence(registry_.load()), before) << damaged;
    ASSERT_EQ(problems_.size(), 1u) << damaged;
    EXPECT_THAT(problems_[0], HasSubstr("corrupt"));
    EXPECT_EQ(recovered_, 2u);
  }
}

TEST_F(RecoveryTest, StopDeleteAndKillWorkOnADamagedRegistryWithoutWritingOverIt) {
  const int api = lifecycle_.start_new(decl("api"), false);
  const int worker = lifecycle_.start_new(decl("worker"), false);
  damage("garbage");
  lifecycle_.stop(api);
  EXPECT_EQ(manager_.units.count("pmctl-api-0.service"), 0u);
  // A stopped app still has its record file: it is still listed.
  EXPECT_EQ(registry_.load().ids(), (std::vector<int>{api, worker}));
  lifecycle_.remove(worker);
  EXPECT_EQ(manager_.units.count("pmctl-worker-1.service"), 0u);
  EXPECT_EQ(registry_.load().ids(), (std::vector<int>{api}));
  EXPECT_EQ(text_of(registry_json()), "garbage");
}

TEST_F(RecoveryTest, RepairKeepsTheDamagedFileAndRestoresNamesIdsNamespacesAndDeclarations) {
  lifecycle_.start_new(decl("api", "prod"), false);
  lifecycle_.start_new(decl("worker"), false);
  registry_.set_live({});
  const RegistryData before = registry_.load();
  damage("{\"apps\": [");
  registry_.set_live(live_sources(registry_, [this]() -> Manager& { return manager_; }, {}));
  const RepairReport report = repair_registry(registry_, manager_);
  ASSERT_FALSE(report.damaged_kept_as.empty());
  EXPECT_EQ(text_of(report.damaged_kept_as), "{\"apps\": [");
  EXPECT_EQ(report.apps.size(), 2u);
  for (const auto& app : report.apps) EXPECT_EQ(app.source, DeclSource::RecordFile);
  registry_.set_live({});  // registry.json alone, no recovery
  const RegistryData after = registry_.load();
  EXPECT_EQ(essence(after), essence(before));
  EXPECT_EQ(after.apps, before.apps);
}

TEST_F(RecoveryTest, WithoutRecordFilesTheDumpThenTheUnitGivesTheDeclaration) {
  const int api = lifecycle_.start_new(decl("api"), false);
  const int worker = lifecycle_.start_new(decl("worker"), false);
  BootApp saved;
  saved.record = registry_.load().apps.at(0);
  write_dump(dir_, {saved});
  fs::remove_all(dir_ / "apps");
  fs::remove(registry_json());
  const RepairReport report = repair_registry(registry_, manager_);
  ASSERT_EQ(report.apps.size(), 2u);
  EXPECT_TRUE(report.registry_was_missing);
  EXPECT_EQ(report.apps[0].source, DeclSource::Dump);
  EXPECT_EQ(report.apps[1].source, DeclSource::Unit);
  const RegistryData data = registry_.load();
  EXPECT_EQ(data.find(api)->decl, saved.record.decl);
  const AppDecl& minimal = data.find(worker)->decl;
  EXPECT_EQ(minimal.name, "worker");
  EXPECT_EQ(minimal.cwd, "/srv");
  // The unit runs the interpreter; the minimal declaration runs that same command line.
  EXPECT_EQ(minimal.script, "/usr/bin/node");
  EXPECT_THAT(minimal.args,
              ::testing::ElementsAre("--enable-source-maps", "/srv/worker.js", "--port", "3000"));
  EXPECT_EQ(minimal.env.at("TOKEN"), "worker-secret");  // env/<id>.json is still there
}

TEST_F(RecoveryTest, AMissingRegistryShowsTheRunningAppsAndANewStartTakesAFreshId) {
  const int old = lifecycle_.start_new(decl("s1"), false);
  fs::rename(registry_json(), dir_ / "moved-away.json");
  EXPECT_EQ(registry_.load().ids(), std::vector<int>{old});
  EXPECT_EQ(problems_.size(), 1u);
  manager_.calls.clear();
  AppDecl again = decl("s1");
  again.script = "/srv/other.js";
  const int fresh = lifecycle_.start_new(again, false);
  EXPECT_NE(fresh, old);
  for (const auto& call : manager_.calls) EXPECT_THAT(call, ::testing::Not(HasSubstr("s1-0")));
  EXPECT_EQ(manager_.units.count("pmctl-s1-0.service"), 1u);
  // The new registry.json has the new app; the old one is still shown, from its record file.
  EXPECT_EQ(registry_.load().ids(), (std::vector<int>{fresh, old}));
}

TEST_F(RecoveryTest, ANewAppNeverTakesTheIdOfAUnitThatStillRuns) {
  manager_.units["pmctl-ghost-0.service"] = manager_.running("pmctl-ghost-0.service");
  manager_.units["pmctl-ghost-2-b.service"] = manager_.running("pmctl-ghost-2-b.service");
  EXPECT_EQ(lifecycle_.start_new(decl("a"), false), 1);
  EXPECT_EQ(lifecycle_.start_new(decl("b"), false), 3);
}

TEST_F(RecoveryTest, UnitsOfAnotherStateDirectoryAreNotTaken) {
  manager_.units["pmctl-other-0.service"] = manager_.running("pmctl-other-0.service");
  fs::create_directories(dir_);
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_TRUE(problems_.empty());
}

TEST_F(RecoveryTest, RepairOfAGoodRegistryAddsOnlyWhatItLacks) {
  lifecycle_.start_new(decl("api"), false);
  const std::string before = text_of(registry_json());
  const RepairReport report = repair_registry(registry_, manager_);
  EXPECT_EQ(report.added, 0u);
  EXPECT_TRUE(report.damaged_kept_as.empty());
  EXPECT_FALSE(report.registry_was_missing);
  EXPECT_EQ(text_of(registry_json()), before);
}

TEST(RegistryWithoutRecovery, RefusesADamagedRegistryPointingToRepair) {
  const fs::path dir = fs::temp_directory_path() / ("pmctl-norecovery-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "registry.json") << "nope";
  try {
    Registry(dir).load();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.hint(), HasSubstr("pmctl repair"));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pmctl::core
