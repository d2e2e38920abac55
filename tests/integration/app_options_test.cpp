// PM2's app options on restart, reload and the smart start of a registered app
// (`restart app --node-args=...`, `--name`, `-- args`, null clears): applied, checked first, a
// refusal changing nothing. jlist's pm2_env.env in PM2's shape, and PM2's versioning read from
// the app's git checkout. docs/usage.md, "Options on restart and reload" and "jlist".
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class AppOptionsTest : public PmctlTest {
 protected:
  std::string main_pid(const std::string& name) { return unit_property(unit_of(name), "MainPID"); }
  std::string active_units(const std::string& pattern) {
    return sh("systemctl list-units --all --plain --no-legend '" + pattern + "'").out;
  }
};

TEST_F(AppOptionsTest, RestartAndReloadApplyNodeArgsAndScriptArgsAndNullClearsThem) {
  start({app_path("exec_args.js"), "--name", "opts"});
  // Node apps get --enable-source-maps first (docs/usage.md, "Source maps").
  wait_for_line("opts", "execArgv=[--enable-source-maps] argv=[]");
  // As PM2's e2e: the app named by its script path, the option with '='.
  Result r = pmctl({"restart", app_path("exec_args.js"),
                    "--node-args=--no-warnings --no-deprecation", "--", "one", "two"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto env = app("opts")["pm2_env"];
  EXPECT_EQ(env["node_args"], nlohmann::json({"--no-warnings", "--no-deprecation"}));
  EXPECT_EQ(env["args"], nlohmann::json({"one", "two"}));
  EXPECT_EQ(env["restart_time"], 1);
  wait_for_line("opts",
                "execArgv=[--enable-source-maps --no-warnings --no-deprecation] argv=[one two]");

  r = pmctl({"reload", "opts", "--node-args=null"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  env = app("opts")["pm2_env"];
  EXPECT_EQ(env["node_args"], nlohmann::json::array());
  EXPECT_EQ(env["args"], nlohmann::json({"one", "two"}));  // kept: not given this time
  wait_for_line("opts", "execArgv=[--enable-source-maps] argv=[one two]");

  // PM2's smart start of a registered name applies them too.
  r = pmctl({"start", "opts", "--max-memory-restart", "300M", "--node-args", "--no-warnings"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(unit_property(unit_of("opts"), "MemoryMax"), "471859200");  // 300M and half again
  wait_for_line("opts", "execArgv=[--enable-source-maps --no-warnings] argv=[one two]");
  EXPECT_EQ(app("opts")["pm2_env"]["restart_time"], 3);
}

TEST_F(AppOptionsTest, ARenameRestartsUnderTheNewUnitAndLeavesNothingOfTheOldName) {
  start({app_path("exec_args.js"), "--name", "before"});
  Result r = pmctl({"restart", "before", "--name", "after"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(app("before").is_null());
  ASSERT_FALSE(app("after").is_null());
  EXPECT_EQ(status_of("after"), "online");
  EXPECT_EQ(active_units("pmctl-before*"), "");  // neither the service nor the slice
  EXPECT_THAT(active_units("pmctl-after-*.service"), HasSubstr("running"));
  // PM2's `start <id> --name` renames as well, and the new name works as any other.
  r = pmctl({"start", "0", "--name", "again"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_of("again"), "online");
  EXPECT_EQ(pmctl({"restart", "again"}).exit_code, 0);
  EXPECT_EQ(active_units("pmctl-after*"), "");
}

TEST_F(AppOptionsTest, ARefusedOptionChangesNothing) {
  start({app_path("exec_args.js"), "--name", "keep"});
  start({app_path("exec_args.js"), "--name", "other"});
  start({app_path("exec_args.js"), "--name", "pool", "-i", "2"});
  const std::string pid = main_pid("keep");
  const auto expect_refused = [&](const std::vector<std::string>& args, const std::string& says) {
    const Result r = pmctl(args);
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(says));
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;  // one line
    EXPECT_EQ(main_pid("keep"), pid);
    EXPECT_EQ(app("keep")["pm2_env"]["restart_time"], 0);
  };
  expect_refused({"restart", "keep", "--max-memory-restart", "lots"}, "--max-memory-restart");
  expect_refused({"restart", "keep", "--name", "other"}, "an app named 'other' exists already");
  expect_refused({"restart", "keep", "--name", "bad name/x"}, "name");
  // Both targets checked before either restarts.
  expect_refused({"restart", "keep", "pool", "--name", "x"}, "cannot both be named 'x'");
  const std::string one_of_pool = std::to_string(app("pool")["pm_id"].get<int>());
  expect_refused({"restart", one_of_pool, "--name", "x"}, "rename them all at once");
  EXPECT_EQ(app("other")["pm2_env"]["restart_time"], 0);
  expect_refused({"restart", "all", "--restart-delay", "soon"}, "--restart-delay");
  EXPECT_EQ(pmctl({"restart", "keep", "--node-args", "--x"}).exit_code, 0);
  EXPECT_NE(main_pid("keep"), pid);
}

TEST_F(AppOptionsTest, APoolIsRenamedWholeAndAnAppBehindAPortIsNot) {
  start({app_path("exec_args.js"), "--name", "workers", "-i", "2"});
  Result r = pmctl({"reload", "workers", "--name", "crew"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_of("crew"), "online");
  int crew = 0;
  for (const auto& row : jlist()) crew += row["name"] == "crew";
  EXPECT_EQ(crew, 2);
  EXPECT_EQ(active_units("pmctl-workers*"), "");

  start({app_path("http_instance.js"), "--name", "web", "-i", "2", "--port", "17510"});
  r = pmctl({"restart", "web", "--name", "site"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot be renamed"));
  EXPECT_EQ(status_of("web"), "online");
}

TEST_F(AppOptionsTest, StartOptionsThatShapeTheAppSayWhatToDoInstead) {
  start({app_path("exec_args.js"), "--name", "shaped"});
  const std::string pid = main_pid("shaped");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"restart", "shaped", "-i", "3"}, "pmctl scale <app> N"},
      {{"reload", "shaped", "--port=3000"}, "does not change --port"},
      {{"restart", "shaped", "-o", "/tmp/out.log"}, "delete the app and start it again with -o"},
      {{"reload", "shaped", "--cwd", "/tmp"}, "does not change --cwd"},
  };
  for (const auto& [args, says] : cases) {
    const Result r = pmctl(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr(says));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(main_pid("shaped"), pid);
}

TEST_F(AppOptionsTest, AppOptionsWithAnEcosystemFileAreRefused) {
  const Result r = pmctl(
      {"restart", std::string(PMCTL_TEST_APPS) + "/../ecosystems/env.json", "--node-args", "--x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("set them in the ecosystem file"));
}

TEST_F(AppOptionsTest, Pm2EnvEnvHoldsWhatTheProcessGetsAndTopLevelCopiesTheAppEnvironment) {
  start({app_path("greet.sh"), "--name", "shape", "--setenv", "SHAPE_VAR=42"});
  const auto env = app("shape")["pm2_env"];
  EXPECT_EQ(env["env"]["SHAPE_VAR"], "42");
  EXPECT_EQ(env["env"]["name"], "shape");
  EXPECT_EQ(env["env"]["pm_id"], std::to_string(env["pm_id"].get<int>()));
  EXPECT_EQ(env["env"]["namespace"], "default");
  EXPECT_EQ(env["env"]["NODE_APP_INSTANCE"], "0");
  EXPECT_EQ(env["SHAPE_VAR"], "42");
  EXPECT_EQ(env["name"], "shape");  // pmctl's own keys are not overwritten by the copy
  // `pmctl env` prints the same variables.
  const std::string printed = pmctl({"env", "shape"}).out;
  for (const auto& [key, value] : env["env"].items())
    EXPECT_THAT(printed, HasSubstr(key + ": ")) << key;
}

class VersioningTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    repo_ = "/var/tmp/" + unique_name("pmctl-repo");
    fs::create_directories(repo_ + "/src");
    fs::copy_file(app_path("greet.sh"), repo_ + "/src/app.sh");
    git("init -q -b release");
    git("remote add origin https://example.org/team/app.git");
    git("commit -q --allow-empty -m 'first deploy'");
  }
  void TearDown() override {
    PmctlTest::TearDown();
    fs::remove_all(repo_);
  }
  std::string git(const std::string& args) {
    const Result r =
        sh("git -C '" + repo_ + "' -c user.name=t -c user.email=t@example.org " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  std::string repo_;
};

TEST_F(VersioningTest, JlistAndDescribeShowTheCheckoutTheScriptIsIn) {
  start({repo_ + "/src/app.sh", "--name", "versioned"});
  auto v = app("versioned")["pm2_env"]["versioning"];
  ASSERT_TRUE(v.is_object()) << v.dump();
  EXPECT_EQ(v["type"], "git");
  EXPECT_EQ(v["url"], "https://example.org/team/app.git");
  EXPECT_EQ(v["revision"], git("rev-parse HEAD"));
  EXPECT_EQ(v["branch"], "release");
  EXPECT_EQ(v["comment"], "first deploy");
  EXPECT_EQ(v["repo_path"], repo_);
  const std::string describe = pmctl({"describe", "versioned"}).out;
  EXPECT_THAT(describe, HasSubstr("Revision control metadata"));
  EXPECT_THAT(describe, HasSubstr(git("rev-parse HEAD")));
  // Read when shown: a new commit (a deploy) shows at once, packed refs included.
  git("commit -q --allow-empty -m 'second deploy'");
  git("pack-refs --all");
  v = app("versioned")["pm2_env"]["versioning"];
  EXPECT_EQ(v["revision"], git("rev-parse HEAD"));
  EXPECT_EQ(v["comment"], "second deploy");
}

TEST_F(VersioningTest, NoVizionAndVizionFalseShowNone) {
  start({repo_ + "/src/app.sh", "--name", "quiet", "--no-vizion"});
  EXPECT_TRUE(app("quiet")["pm2_env"]["versioning"].is_null());
  EXPECT_EQ(app("quiet")["pm2_env"]["vizion"], false);
  EXPECT_THAT(pmctl({"describe", "quiet"}).out, Not(HasSubstr("Revision control")));
  const std::string file = repo_ + "/eco.json";
  std::ofstream(file) << R"({"apps": [{"name": "eco", "script": "src/app.sh", "vizion": false}]})";
  ASSERT_EQ(pmctl({"start", file}).exit_code, 0);
  EXPECT_TRUE(app("eco")["pm2_env"]["versioning"].is_null());
  // Outside a checkout there is nothing to show either.
  const std::string plain = repo_ + "-plain";
  fs::create_directories(plain);
  fs::copy_file(app_path("greet.sh"), plain + "/app.sh");
  start({plain + "/app.sh", "--name", "plain"});
  EXPECT_TRUE(app("plain")["pm2_env"]["versioning"].is_null());
  fs::remove_all(plain);
}

}  // namespace
}  // namespace pmctl::test
