// pmctl can always see and stop what it started: a damaged, missing or read-only registry
// (docs/reliability.md, section 3). Each test has its own state directory (PMCTL_STATE_DIR).
#include <gmock/gmock.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pmctl-recovery-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    state_ = dir_ / "state";
  }
  void TearDown() override {
    if (mounted_) umount2(state_.c_str(), MNT_DETACH);
    // Whatever the registry says by now, no unit of this test may stay behind.
    p({"delete", "all"});
    for (const auto& name : names_) sh("systemctl stop 'pmctl-" + name + "-*.service' 2>/dev/null");
    fs::remove_all(dir_);
  }

  Result p(const std::vector<std::string>& args) {
    return pmctl(args, {"PMCTL_STATE_DIR=" + state_.string()});
  }

  std::string start_app(const std::string& stem, const std::vector<std::string>& extra = {}) {
    const std::string name = unique_name(stem);
    names_.push_back(name);
    std::vector<std::string> args{"start", app_path("server.js"), "--name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = p(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return name;
  }

  nlohmann::json list(Result* out = nullptr) {
    const Result r = p({"jlist"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (out) *out = r;
    return nlohmann::json::parse(r.out);
  }

  static nlohmann::json find(const nlohmann::json& list, const std::string& name) {
    for (const auto& a : list)
      if (a["name"] == name) return a;
    return nullptr;
  }

  /// What a rebuilt registry must give back: each app's id, name, namespace and declaration
  /// (registry.json's object; restarts and boot_id are live bookkeeping, not declarations).
  nlohmann::json registry_apps() {
    auto j = nlohmann::json::parse(read_file((state_ / "registry.json").string()));
    auto apps = j["apps"];
    for (auto& a : apps) {
      a.erase("restarts");
      a.erase("boot_id");  // which boot last started it: a stop in between clears it
    }
    std::sort(apps.begin(), apps.end(),
              [](const auto& x, const auto& y) { return x["id"] < y["id"]; });
    return apps;
  }

  void damage(const std::string& content) {
    std::ofstream(state_ / "registry.json", std::ios::trunc) << content;
  }

  std::string unit_state(const std::string& unit) { return unit_property(unit, "ActiveState"); }

  fs::path dir_, state_;
  std::vector<std::string> names_;
  bool mounted_ = false;
};

struct Damage {
  const char* label;
  std::string content;
};

class DamagedRegistryTest : public RecoveryTest, public ::testing::WithParamInterface<Damage> {};

TEST_P(DamagedRegistryTest, LsJlistStopDeleteWorkWithAWarningAndRepairRestoresTheRegistry) {
  const std::string a = start_app("dmg-a", {"--namespace", "prod"});
  const std::string b = start_app("dmg-b");
  const std::string c = start_app("dmg-c", {"--", "--flag", "x y"});
  const nlohmann::json before = list();
  const nlohmann::json registry_before = registry_apps();
  const std::string unit_a = find(before, a)["pm2_env"]["unit"];
  const std::string unit_b = find(before, b)["pm2_env"]["unit"];
  damage(GetParam().content);

  const Result ls = p({"ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.err, HasSubstr("pmctl: warning: registry"));
  EXPECT_THAT(ls.err, HasSubstr("pmctl repair"));
  for (const auto& n : {a, b, c}) EXPECT_THAT(ls.out, HasSubstr(n));

  Result r;
  const nlohmann::json during = list(&r);
  EXPECT_THAT(r.err, HasSubstr("pmctl repair"));
  ASSERT_EQ(during.size(), 3u);
  for (const auto& n : {a, b, c}) {
    ASSERT_FALSE(find(during, n).is_null()) << n;
    EXPECT_EQ(find(during, n)["pm_id"], find(before, n)["pm_id"]);
    EXPECT_EQ(find(during, n)["pm2_env"]["namespace"], find(before, n)["pm2_env"]["namespace"]);
    EXPECT_EQ(find(during, n)["pm2_env"]["status"], "online");
  }

  const Result stop = p({"stop", a});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(unit_state(unit_a), "inactive");
  EXPECT_EQ(find(list(), a)["pm2_env"]["status"], "stopped");
  const Result del = p({"delete", b});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(unit_state(unit_b), "inactive");
  EXPECT_TRUE(find(list(), b).is_null());
  EXPECT_EQ(read_file((state_ / "registry.json").string()), GetParam().content)
      << "the damaged registry was written over";

  const Result repair = p({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_THAT(repair.out, HasSubstr("registry.json.damaged-"));
  bool kept = false;
  for (const auto& e : fs::directory_iterator(state_))
    if (e.path().filename().string().starts_with("registry.json.damaged-"))
      kept = read_file(e.path().string()) == GetParam().content;
  EXPECT_TRUE(kept) << "the damaged file is not kept as it was";
  // The registry is back: a and c as they were (b was deleted), and no more warnings.
  nlohmann::json expected;
  for (const auto& app : registry_before)
    if (app["name"] != b) expected.push_back(app);
  EXPECT_EQ(registry_apps(), expected);
  const Result after = p({"jlist"});
  EXPECT_EQ(after.err, "");
  EXPECT_EQ(nlohmann::json::parse(after.out).size(), 2u);
  EXPECT_EQ(p({"restart", a}).exit_code, 0);
  EXPECT_EQ(unit_state(unit_a), "active");
}

TEST_P(DamagedRegistryTest, KillStopsAndDeletesEveryApp) {
  const std::string a = start_app("kill-a");
  const std::string b = start_app("kill-b");
  const std::string unit_a = find(list(), a)["pm2_env"]["unit"];
  const std::string unit_b = find(list(), b)["pm2_env"]["unit"];
  damage(GetParam().content);
  const Result kill = p({"kill"});
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_THAT(kill.err, HasSubstr("pmctl repair"));
  EXPECT_EQ(unit_state(unit_a), "inactive");
  EXPECT_EQ(unit_state(unit_b), "inactive");
  EXPECT_TRUE(list().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Damages, DamagedRegistryTest,
    ::testing::Values(Damage{"truncated", "{\"version\":1,\"next_id\":3,\"apps\":[{\"id\":0,\"na"},
                      Damage{"garbage", "\x7f\x45\x4c\x46 not json at all"},
                      Damage{"wrong_shape", "{\"apps\":{\"id\":0}}"}),
    [](const auto& info) { return std::string(info.param.label); });

TEST_F(RecoveryTest, ARegistryMovedAwayStillShowsTheRunningAppsAndANewStartTakesAFreshId) {
  const std::string s1 = start_app("s1");
  const nlohmann::json old = find(list(), s1);
  const std::string old_unit = old["pm2_env"]["unit"];
  const std::string old_pid = unit_property(old_unit, "MainPID");
  fs::rename(state_ / "registry.json", dir_ / "registry.json.moved");

  const Result ls = p({"ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.err, HasSubstr("is missing"));
  EXPECT_THAT(ls.err, HasSubstr("pmctl repair"));
  EXPECT_THAT(ls.out, HasSubstr(s1));

  const Result again = p({"start", app_path("server.js"), "--name", s1});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  const nlohmann::json now = list();
  ASSERT_EQ(now.size(), 2u) << now.dump();
  std::set<int> ids;
  for (const auto& app : now) {
    EXPECT_EQ(app["name"], s1);
    ids.insert(app["pm_id"].get<int>());
  }
  EXPECT_EQ(ids.size(), 2u) << "an id was reused";
  EXPECT_TRUE(ids.count(old["pm_id"].get<int>()));
  // The old unit was not taken over: same process, still running.
  EXPECT_EQ(unit_state(old_unit), "active");
  EXPECT_EQ(unit_property(old_unit, "MainPID"), old_pid);

  const Result repair = p({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_EQ(registry_apps().size(), 2u);
  EXPECT_EQ(p({"ls"}).err, "");
  EXPECT_EQ(p({"delete", s1}).exit_code, 0);
  EXPECT_EQ(unit_state(old_unit), "inactive");
}

TEST_F(RecoveryTest, ReadOnlyCommandsWorkOnAReadOnlyStateDirectory) {
  const std::string app = start_app("ro");
  const std::string unit = find(list(), app)["pm2_env"]["unit"];
  // A fresh directory has no lock file yet for a reader to open: start from that.
  fs::remove(state_ / "registry.lock");
  ASSERT_EQ(mount(state_.c_str(), state_.c_str(), nullptr, MS_BIND, nullptr), 0);
  mounted_ = true;
  ASSERT_EQ(mount(nullptr, state_.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0);
  EXPECT_NE(std::ofstream(state_ / "probe").good(), true) << "the state directory is writable";

  const Result ls = p({"ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr(app));
  EXPECT_EQ(ls.err, "");
  Result r;
  EXPECT_EQ(find(list(&r), app)["pm2_env"]["status"], "online");
  const Result show = p({"describe", app});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr(unit));
  const Result logs = p({"logs", app, "--nostream", "--lines", "5"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  // A change cannot be written: one error line, and the app runs on.
  const Result stop = p({"flush", app});
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_THAT(stop.err, ::testing::StartsWith("pmctl: error: "));
  EXPECT_EQ(unit_state(unit), "active");
}

// A damaged env/<id>.json (the app's declared environment) locks nobody out: every verb works,
// the app restarts with the environment it had, and only `save`, which would lose it, refuses.
TEST_F(RecoveryTest, ADamagedEnvironmentFileLocksNobodyOutAndTheAppKeepsItsEnvironment) {
  const auto environ_has = [](int pid, const std::string& entry) {
    const std::string text = read_file("/proc/" + std::to_string(pid) + "/environ");
    return text.find(std::string(1, '\0') + entry + '\0') != std::string::npos;
  };
  const std::string name = unique_name("envdmg");
  names_.push_back(name);
  const std::vector<std::string> state{"PMCTL_STATE_DIR=" + state_.string()};
  auto with = [&](std::vector<std::string> env) {
    env.insert(env.end(), state.begin(), state.end());
    return env;
  };
  ASSERT_EQ(pmctl({"start", app_path("server.js"), "--name", name}, with({"FOO=kept"})).exit_code,
            0);
  const std::string other = start_app("envok");
  const int id = find(list(), name)["pm_id"];
  const fs::path env_json = state_ / "env" / (std::to_string(id) + ".json");
  std::ofstream(env_json, std::ios::trunc) << "{\"FOO\": \"ke";

  const Result ls = p({"ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr(name));
  const Result env = p({"env", std::to_string(id)});  // ls reads no environment; env does
  EXPECT_EQ(env.exit_code, 0) << env.err;
  EXPECT_THAT(env.err, HasSubstr("environment file '" + env_json.string() + "' is damaged"));
  EXPECT_EQ(occurrences(env.err, "is damaged"), 1u) << env.err;
  EXPECT_EQ(p({"restart", other}).exit_code, 0);
  const Result restart = p({"restart", name});
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_TRUE(environ_has(find(list(), name)["pid"], "FOO=kept"));
  EXPECT_EQ(read_file(env_json.string()), "{\"FOO\": \"ke");  // nothing wrote over it

  const Result save = p({"save"});
  EXPECT_EQ(save.exit_code, 1);
  EXPECT_THAT(save.err, HasSubstr("cannot be read: its file is damaged, so it cannot be saved"));
  EXPECT_FALSE(fs::exists(state_ / "dump.json"));

  const Result update = pmctl({"restart", name, "--update-env"}, with({"FOO=new"}));
  ASSERT_EQ(update.exit_code, 0) << update.err;
  EXPECT_TRUE(environ_has(find(list(), name)["pid"], "FOO=new"));
  EXPECT_EQ(nlohmann::json::parse(read_file(env_json.string()))["FOO"], "new");
  EXPECT_EQ(p({"ls"}).err, "");
  EXPECT_EQ(p({"delete", name}).exit_code, 0);
  EXPECT_FALSE(fs::exists(env_json));
}

}  // namespace
}  // namespace pmctl::test
