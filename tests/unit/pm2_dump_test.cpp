// PM2's dump.pm2 read as ecosystem apps (core/ecosystem/pm2_dump.cpp): a real sample, the rules
// one by one, damaged dumps, and the whole way to AppDecls through the app fields.
#include "core/ecosystem/pm2_dump.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/types/error.hpp"
#include "pm2_dump_sample.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;

std::vector<json> sample() { return pm2_dump_apps(test::kPm2DumpSample, "dump.pm2"); }

const json& named(const std::vector<json>& apps, const std::string& name) {
  for (const auto& app : apps)
    if (app.value("name", "") == name) return app;
  static const json none;
  return none;
}

TEST(Pm2Dump, TheRealSampleGivesOneAppPerNameInTheDumpsOrder) {
  std::vector<std::string> names;
  for (const auto& app : sample()) names.push_back(app.at("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"frompm2-web", "frompm2-api", "frompm2-printer",
                                             "frompm2-envdump", "frompm2-stopped", "frompm2-eco",
                                             "frompm2-cmd", "frompm2-bin"}));
}

TEST(Pm2Dump, AForkAppKeepsItsDeclarationAndLeavesPm2sBookkeeping) {
  const json web = named(sample(), "frompm2-web");
  EXPECT_EQ(web.at("script"), "/srv/app/server.js");
  EXPECT_EQ(web.at("cwd"), "/srv/app");
  EXPECT_EQ(web.at("interpreter"), "node");
  EXPECT_EQ(web.at("interpreter_args"), json::array());
  EXPECT_EQ(web.at("exec_mode"), "fork_mode");
  EXPECT_EQ(web.at("max_memory_restart"), 314572800);
  EXPECT_EQ(web.at("time"), true);
  EXPECT_EQ(web.at("log_date_format"), "YYYY-MM-DDTHH:mm:ss");
  EXPECT_EQ(web.at("env"), json({{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                 {"HOME", "/root"},
                                 {"LANG", "C.UTF-8"},
                                 {"USER", "root"},
                                 {"NODE_ENV", "production"}}));
  for (const char* gone : {"pm_id",
                           "status",
                           "restart_time",
                           "unique_id",
                           "axm_monitor",
                           "pm_exec_path",
                           "pm_cwd",
                           "exec_interpreter",
                           "node_args",
                           "instances",
                           "pmx",
                           "username",
                           "kill_retry_time",
                           "filter_env",
                           "PATH",
                           "NODE_ENV",
                           "NODE_APP_INSTANCE",
                           "out_file",
                           "error_file",
                           "pid_file",
                           "log_file"})
    EXPECT_FALSE(web.contains(gone)) << gone;
}

TEST(Pm2Dump, TheInstancesOfAClusterBecomeOneAppWithInstances) {
  const json api = named(sample(), "frompm2-api");
  EXPECT_EQ(api.at("instances"), 2);
  EXPECT_EQ(api.at("exec_mode"), "cluster_mode");
  EXPECT_EQ(api.at("env").at("PORT"), "17520");
  EXPECT_FALSE(api.contains("autostart") && api.at("autostart") == false);
}

TEST(Pm2Dump, AStoppedAppIsRegisteredWithoutStarting) {
  const json stopped = named(sample(), "frompm2-stopped");
  EXPECT_EQ(stopped.at("autostart"), false);
  EXPECT_EQ(stopped.at("namespace"), "frompm2-ns");
}

TEST(Pm2Dump, AnEcosystemAppKeepsItsFilesFieldsAndEnvironment) {
  const json eco = named(sample(), "frompm2-eco");
  EXPECT_EQ(eco.at("instances"), 2);
  EXPECT_EQ(eco.at("exec_mode"), "fork_mode");
  // PM2 wrote eco-out-6.log and eco-out-7.log: unmerged logs get -<pm_id>, taken off again.
  EXPECT_EQ(eco.at("out_file"), "/srv/app/logs/eco-out.log");
  EXPECT_EQ(eco.at("error_file"), "/var/log/app/eco-err.log");
  EXPECT_EQ(eco.at("log_file"), true);  // PM2_HOME/logs/<name>-<id>.log: PM2's `log_file: true`
  EXPECT_FALSE(eco.contains("pid_file"));
  EXPECT_EQ(eco.at("cron_restart"), "0 3 * * *");
  EXPECT_EQ(eco.at("watch"), json::array({"lib"}));
  EXPECT_EQ(eco.at("stop_exit_codes"), 3);
  EXPECT_EQ(eco.at("increment_var"), "WORKER");
  EXPECT_EQ(eco.at("interpreter_args"), json::array({"--max-old-space-size=100"}));
  const json& env = eco.at("env");
  EXPECT_EQ(env.at("A"), "x");
  EXPECT_EQ(env.at("OBJ"), "{\"k\":1}");
  EXPECT_EQ(env.at("N"), 3);
  EXPECT_EQ(env.at("PORT"), 17521);
  EXPECT_EQ(env.at("WORKER"), 0);  // instance 0's: increment_var counts on from it
  for (const char* gone : {"frompm2-eco", "PWD", "PM2_JSON_PROCESSING", "PM2_HOME"})
    EXPECT_FALSE(env.contains(gone)) << gone;
  EXPECT_FALSE(eco.contains("env_production"));
  EXPECT_FALSE(eco.contains("port"));
}

TEST(Pm2Dump, ACommandStringIsTheShellPm2Ran) {
  const json cmd = named(sample(), "frompm2-cmd");
  EXPECT_EQ(cmd.at("script"), "/usr/bin/bash");
  EXPECT_EQ(cmd.at("interpreter"), "none");
  EXPECT_EQ(cmd.at("args"), json::array({"-c", "sleep 1000"}));
}

/// One dump entry: PM2's shape, with `fields` added or replaced.
json entry(const json& fields) {
  json e = {{"name", "a"},
            {"pm_exec_path", "/srv/a.js"},
            {"pm_cwd", "/srv"},
            {"status", "online"},
            {"env", {{"PM2_HOME", "/home/u/.pm2"}, {"HOME", "/home/u"}}}};
  e.update(fields);
  return e;
}

json only_app(const json& entries) {
  const auto apps = pm2_dump_apps(entries.dump(), "dump.pm2");
  EXPECT_EQ(apps.size(), 1u);
  return apps.empty() ? json() : apps.front();
}

struct FileCase {
  const char* what;
  json fields;
  const char* key;
  json expected;  // null: not declared
};

TEST(Pm2Dump, LogAndPidPathsBecomeFilesUnlessTheyArePm2sDefaults) {
  const std::vector<FileCase> cases = {
      {"unmerged log", {{"pm_out_log_path", "/var/log/a-3.log"}}, "out_file", "/var/log/a.log"},
      {"merged log",
       {{"pm_out_log_path", "/var/log/a-3.log"}, {"merge_logs", true}},
       "out_file",
       "/var/log/a-3.log"},
      {"no .log", {{"pm_err_log_path", "/var/log/a-3.txt"}}, "error_file", "/var/log/a-3.txt"},
      {"discarded", {{"pm_out_log_path", "/dev/null"}}, "out_file", "/dev/null"},
      {"default out", {{"pm_out_log_path", "/home/u/.pm2/logs/a-out.log"}}, "out_file", nullptr},
      {"default combined", {{"pm_log_path", "/home/u/.pm2/logs/a-0.log"}}, "log_file", true},
      {"own pid file", {{"pm_pid_path", "/run/a-4.pid"}}, "pid_file", "/run/a.pid"},
      {"default pid file", {{"pm_pid_path", "/home/u/.pm2/pids/a-4.pid"}}, "pid_file", nullptr},
      {"home without PM2_HOME",
       {{"pm_out_log_path", "/home/u/.pm2/logs/a-out.log"}, {"env", {{"HOME", "/home/u"}}}},
       "out_file",
       nullptr},
  };
  for (const auto& c : cases) {
    const json app = only_app(json::array({entry(c.fields)}));
    if (c.expected.is_null())
      EXPECT_FALSE(app.contains(c.key)) << c.what;
    else
      EXPECT_EQ(app.value(c.key, json()), c.expected) << c.what;
  }
}

TEST(Pm2Dump, DropsWhatPm2PutIntoTheEnvironment) {
  const json app = only_app(json::array({entry({{"instance_var", "INSTANCE_ID"},
                                                {"env",
                                                 {{"PM2_HOME", "/h"},
                                                  {"PM2_USAGE", "CLI"},
                                                  {"PM2_INTERACTOR_PROCESSING", "true"},
                                                  {"PM2_JSON_PROCESSING", "true"},
                                                  {"PM2_PROGRAMMATIC", "true"},
                                                  {"unique_id", "u"},
                                                  {"pm_id", 3},
                                                  {"pm_cwd", "/srv"},
                                                  {"name", "a"},
                                                  {"namespace", "default"},
                                                  {"NODE_APP_INSTANCE", 0},
                                                  {"INSTANCE_ID", 0},
                                                  {"PWD", "/elsewhere"},
                                                  {"a", "{}"},
                                                  {"nested", {{"k", 1}}},
                                                  {"KEEP", "1"},
                                                  {"PM2_OTHER", "kept"},
                                                  {"LIST", {1, 2}}}}})}));
  EXPECT_EQ(app.at("env"),
            json({{"KEEP", "1"}, {"PM2_OTHER", "kept"}, {"LIST", json::array({1, 2})}}));
}

TEST(Pm2Dump, AFlattenedEnvironmentVariableIsNotAField) {
  const json app =
      only_app(json::array({entry({{"time", "now"}, {"env", {{"time", "now"}}}, {"vizion", 0}})}));
  EXPECT_FALSE(app.contains("time"));
  EXPECT_EQ(app.at("env").at("time"), "now");
  EXPECT_EQ(app.at("vizion"), 0);
}

TEST(Pm2Dump, TakesTheFirstInstancesSettingsAndStartsAnAppWithOneRunningInstance) {
  const json app = only_app(json::array(
      {entry({{"NODE_APP_INSTANCE", 1}, {"status", "stopped"}, {"env", {{"PORT", 3001}}}}),
       entry({{"NODE_APP_INSTANCE", 0}, {"env", {{"PORT", 3000}}}})}));
  EXPECT_EQ(app.at("env").at("PORT"), 3000);
  EXPECT_EQ(app.at("instances"), 2);
  EXPECT_FALSE(app.contains("autostart"));
}

TEST(Pm2Dump, AnEmptyDumpHasNoApps) {
  EXPECT_TRUE(pm2_dump_apps("[]", "dump.pm2").empty());
  EXPECT_TRUE(pm2_dump_apps(" [ ]\n", "dump.pm2").empty());
}

struct BadCase {
  const char* text;
  const char* message;
};

TEST(Pm2Dump, ADamagedDumpIsOneErrorNamingTheFile) {
  const std::vector<BadCase> cases = {
      {"", "not JSON"},
      {"[{", "not JSON"},
      {"PM2 dump", "not JSON"},
      {"{\"apps\": []}", "the top level is an object, not a list"},
      {"\"x\"", "the top level is a string, not a list"},
      {"[1]", "process #1 is a number, not an object"},
      {"[{\"name\": \"a\", \"pm_exec_path\": \"/a\"}, null]", "process #2 is null"},
      {"[{\"name\": \"api\"}]", "process #1 ('api') has no pm_exec_path"},
      {"[{\"pm_exec_path\": \"\"}]", "process #1 has no pm_exec_path"},
      {"[{\"name\": \"a\", \"pm_exec_path\": 3}]", "process #1 ('a') has no pm_exec_path"},
  };
  for (const auto& c : cases) {
    try {
      pm2_dump_apps(c.text, "dump.pm2");
      ADD_FAILURE() << "no error for " << c.text;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("PM2 dump 'dump.pm2': ")) << c.text;
      EXPECT_THAT(e.what(), HasSubstr(c.message)) << c.text;
      EXPECT_THAT(e.hint(), HasSubstr("pm2 save")) << c.text;
    }
  }
}

/// A scratch directory with bin/node (not in the caller's PATH) and srv/app.js.
class Pm2DumpFile : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("pmctl-pm2-dump-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "bin");
    fs::create_directories(root_ / "srv");
    std::ofstream(root_ / "bin/node") << "#!/bin/sh\n";
    fs::permissions(root_ / "bin/node", fs::perms::owner_all);
    std::ofstream(root_ / "srv/app.js");
    ctx_.file = (root_ / "dump.pm2").string();
    ctx_.base_dir = root_.string();
    ctx_.caller_env = {{"SECRET", "from the caller"}};
    ctx_.path_env = "/nonexistent";
    ctx_.cpu_count = 4;
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string write(const json& entries) {
    std::ofstream(root_ / "dump.pm2") << entries.dump(2);
    return ctx_.file;
  }
  std::string at(const std::string& rel) const { return (root_ / rel).string(); }

  fs::path root_;
  FieldContext ctx_;
};

TEST_F(Pm2DumpFile, GivesTheDeclarationsAnEcosystemFileWould) {
  const json one = {{"name", "api"},
                    {"pm_exec_path", at("srv/app.js")},
                    {"pm_cwd", at("srv")},
                    {"exec_interpreter", "node"},
                    {"exec_mode", "cluster_mode"},
                    {"status", "online"},
                    {"NODE_APP_INSTANCE", 0},
                    {"env", {{"PATH", at("bin")}, {"PM2_HOME", "/root/.pm2"}, {"GREETING", "hi"}}}};
  json two = one;
  two["NODE_APP_INSTANCE"] = 1;
  const auto apps = load_pm2_dump(write(json::array({one, two})), ctx_);
  ASSERT_EQ(apps.size(), 1u);
  const AppDecl& d = apps[0].decl;
  EXPECT_EQ(d.name, "api");
  EXPECT_EQ(apps[0].instances, 2);
  EXPECT_TRUE(d.cluster.enabled);
  EXPECT_EQ(d.cwd, at("srv"));
  EXPECT_EQ(d.script, at("srv/app.js"));
  EXPECT_EQ(d.interpreter, at("bin/node"));  // found in the app's own PATH
  EXPECT_EQ(d.env.at("GREETING"), "hi");
  EXPECT_EQ(d.env.at("PWD"), at("srv"));
  EXPECT_FALSE(d.env.contains("PM2_HOME"));
  EXPECT_FALSE(d.env.contains("SECRET"));  // the dump's environment, not the caller's
  EXPECT_TRUE(apps[0].warnings.empty());
}

TEST_F(Pm2DumpFile, ABadAppIsAnErrorNamingTheDumpAndTheApp) {
  const json gone = {{"name", "gone"},
                     {"pm_exec_path", at("srv/missing.js")},
                     {"pm_cwd", at("srv")},
                     {"exec_interpreter", "none"}};
  try {
    load_pm2_dump(write(json::array({gone})), ctx_);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(ctx_.file + ": app 'gone'"));
  }
}

TEST_F(Pm2DumpFile, AMissingFileIsAnError) {
  EXPECT_THROW(load_pm2_dump(at("nothing.pm2"), ctx_), Error);
  EXPECT_THROW(load_pm2_dump(at("srv"), ctx_), Error);
}

}  // namespace
}  // namespace pmctl::core
