#include "core/fields/app_fields.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "app_fields_fixture.hpp"
#include "core/fields/field_table.hpp"

namespace pmctl::core {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using test::AppFields;

struct AcceptCase {
  const char* label;
  json fields;
  std::function<void(AppDecl&)> expect;
};

TEST_F(AppFields, ConvertsAMinimalAppWithPm2sDefaults) {
  const ConvertedApp out = convert({{"script", "app.js"}});
  AppDecl expected = baseline();
  expected.name = "app";
  EXPECT_EQ(out.decl, expected);
  EXPECT_EQ(out.instances, 1);
  EXPECT_FALSE(out.force);
  EXPECT_TRUE(out.warnings.empty());
  EXPECT_EQ(out.decl.restart.max_restarts, 16u);
  EXPECT_EQ(out.decl.restart.min_uptime_ms, 1000u);
  EXPECT_EQ(out.decl.restart.kill_timeout_ms, 1600u);
  EXPECT_TRUE(out.decl.logs.merge_logs);
}

TEST_F(AppFields, HonoursEveryLaunchField) {
  const std::string base = srv();
  const std::vector<AcceptCase> cases = {
      {"script alias exec", {{"script", nullptr}, {"exec", "app.js"}}, [](AppDecl&) {}},
      {"script alias cmd", {{"script", nullptr}, {"cmd", "app.js"}}, [](AppDecl&) {}},
      {"script alias command", {{"script", nullptr}, {"command", "app.js"}}, [](AppDecl&) {}},
      {"absolute script", {{"script", base + "/app.js"}}, [](AppDecl&) {}},
      {"namespace", {{"namespace", "prod"}}, [](AppDecl& d) { d.ns = "prod"; }},
      {"relative cwd resolves against the file's directory; script against cwd",
       {{"cwd", "sub"}, {"script", "task.js"}},
       [&](AppDecl& d) {
         d.cwd = base + "/sub";
         d.script = base + "/sub/task.js";
         d.env["PWD"] = base + "/sub";
       }},
      {"args as a string, split like a shell",
       {{"args", "--port 80 'a b'"}},
       [](AppDecl& d) {
         d.args = {"--port", "80", "a b"};
       }},
      {"args as an array with a number",
       {{"args", {"-x", 3}}},
       [](AppDecl& d) {
         d.args = {"-x", "3"};
       }},
      {"interpreter",
       {{"interpreter", "python3"}},
       [&](AppDecl& d) { d.interpreter = bin("python3"); }},
      {"interpreter alias exec_interpreter",
       {{"exec_interpreter", "python3"}},
       [&](AppDecl& d) { d.interpreter = bin("python3"); }},
      {"interpreter none", {{"interpreter", "none"}}, [](AppDecl& d) { d.interpreter = ""; }},
      {"interpreter by extension",
       {{"script", "worker.py"}},
       [&](AppDecl& d) {
         d.script = srv() + "/worker.py";
         d.interpreter = bin("python3");
       }},
      {"interpreter_args",
       {{"interpreter_args", "--inspect --title 'x y'"}},
       [](AppDecl& d) {
         d.interpreter_args = {"--inspect", "--title", "x y"};
       }},
      {"interpreter_args alias node_args",
       {{"node_args", {"--inspect"}}},
       [](AppDecl& d) { d.interpreter_args = {"--inspect"}; }},
      {"command string",
       {{"script", "echo hi && sleep 1"}},
       [](AppDecl& d) {
         d.script = "echo hi && sleep 1";
         d.command_string = true;
         d.interpreter = "";
       }},
      {"instances 1 and exec_mode fork",
       {{"instances", 1}, {"exec_mode", "fork"}},
       [](AppDecl& d) { d.logs.merge_logs = false; }},
      {"exec_mode fork_mode", {{"exec_mode", "fork_mode"}}, [](AppDecl&) {}},
      {"uid and gid as root",
       {{"uid", "root"}, {"gid", 0}},
       [](AppDecl& d) {
         d.user = "root";
         d.group = "0";
         d.env["HOME"] = "/root";
         d.env["USER"] = "root";
         d.env["LOGNAME"] = "root";
       }},
      {"uid alias user, by number",
       {{"user", 0}},
       [](AppDecl& d) {
         d.user = "0";
         d.env["HOME"] = "/root";
         d.env["USER"] = "root";
         d.env["LOGNAME"] = "root";
       }},
  };
  ctx_.root = true;
  for (const auto& c : cases) {
    AppDecl expected = baseline();
    c.expect(expected);
    json app = api(c.fields);
    if (app.contains("script") && app["script"].is_null()) app.erase("script");
    EXPECT_EQ(convert(app).decl, expected) << c.label;
  }
}

TEST_F(AppFields, HonoursEveryRestartAndProcessField) {
  const std::vector<AcceptCase> cases = {
      {"autorestart false",
       {{"autorestart", false}},
       [](AppDecl& d) { d.restart.autorestart = false; }},
      {"autostart false", {{"autostart", false}}, [](AppDecl& d) { d.autostart = false; }},
      {"restart_delay in ms",
       {{"restart_delay", 2500}},
       [](AppDecl& d) { d.restart.restart_delay_ms = 2500; }},
      {"restart_delay as a numeric string",
       {{"restart_delay", "2500"}},
       [](AppDecl& d) { d.restart.restart_delay_ms = 2500; }},
      {"restart_delay with a unit",
       {{"restart_delay", "2s"}},
       [](AppDecl& d) { d.restart.restart_delay_ms = 2000; }},
      {"exp_backoff_restart_delay",
       {{"exp_backoff_restart_delay", 100}},
       [](AppDecl& d) { d.restart.exp_backoff_ms = 100; }},
      {"min_uptime as PM2's \"5s\"",
       {{"min_uptime", "5s"}},
       [](AppDecl& d) { d.restart.min_uptime_ms = 5000; }},
      {"min_uptime 0 is honoured",
       {{"min_uptime", 0}},
       [](AppDecl& d) { d.restart.min_uptime_ms = 0; }},
      {"max_restarts 0 is honoured, unlike PM2",
       {{"max_restarts", 0}},
       [](AppDecl& d) { d.restart.max_restarts = 0; }},
      {"max_restarts as a numeric string",
       {{"max_restarts", "3"}},
       [](AppDecl& d) { d.restart.max_restarts = 3; }},
      {"max_restarts as a whole float",
       {{"max_restarts", 3.0}},
       [](AppDecl& d) { d.restart.max_restarts = 3; }},
      {"stop_exit_codes as a number",
       {{"stop_exit_codes", 12}},
       [](AppDecl& d) { d.restart.stop_exit_codes = {12}; }},
      {"stop_exit_codes as an array of numbers and strings",
       {{"stop_exit_codes", {12, "42"}}},
       [](AppDecl& d) {
         d.restart.stop_exit_codes = {12, 42};
       }},
      {"stop_exit_codes as a string",
       {{"stop_exit_codes", "12 42"}},
       [](AppDecl& d) {
         d.restart.stop_exit_codes = {12, 42};
       }},
      {"kill_timeout 0 is honoured",
       {{"kill_timeout", 0}},
       [](AppDecl& d) { d.restart.kill_timeout_ms = 0; }},
      {"kill_timeout",
       {{"kill_timeout", 3000}},
       [](AppDecl& d) { d.restart.kill_timeout_ms = 3000; }},
      {"treekill false", {{"treekill", false}}, [](AppDecl& d) { d.treekill = false; }},
      {"max_memory_restart with a unit",
       {{"max_memory_restart", "200M"}},
       [](AppDecl& d) { d.max_memory_bytes = 200ull << 20; }},
      {"max_memory_restart in bytes",
       {{"max_memory_restart", 1048576}},
       [](AppDecl& d) { d.max_memory_bytes = 1048576; }},
      {"instance_var",
       {{"instance_var", "INSTANCE_ID"}},
       [](AppDecl& d) { d.instance_var = "INSTANCE_ID"; }},
  };
  for (const auto& c : cases) {
    AppDecl expected = baseline();
    c.expect(expected);
    EXPECT_EQ(convert(api(c.fields)).decl, expected) << c.label;
  }
}

TEST_F(AppFields, PutsEveryLogFieldIntoLogSettings) {
  const std::string base = srv();
  const std::string logs = (root_ / "logs").string();
  const std::vector<AcceptCase> cases = {
      {"out_file relative to cwd",
       {{"out_file", "out.log"}},
       [&](AppDecl& d) { d.logs.out_file = base + "/out.log"; }},
      {"out", {{"out", "/var/log/a.log"}}, [](AppDecl& d) { d.logs.out_file = "/var/log/a.log"; }},
      {"output", {{"output", "o.log"}}, [&](AppDecl& d) { d.logs.out_file = base + "/o.log"; }},
      {"out_log NULL discards",
       {{"out_log", "NULL"}},
       [](AppDecl& d) { d.logs.out_file = "/dev/null"; }},
      {"error_file",
       {{"error_file", "logs/../e.log"}},
       [&](AppDecl& d) { d.logs.error_file = base + "/e.log"; }},
      {"error", {{"error", "e.log"}}, [&](AppDecl& d) { d.logs.error_file = base + "/e.log"; }},
      {"err", {{"err", "/dev/null"}}, [](AppDecl& d) { d.logs.error_file = "/dev/null"; }},
      {"err_file",
       {{"err_file", "e.log"}},
       [&](AppDecl& d) { d.logs.error_file = base + "/e.log"; }},
      {"err_log", {{"err_log", "e.log"}}, [&](AppDecl& d) { d.logs.error_file = base + "/e.log"; }},
      {"log_file true: <log_dir>/<name>.log",
       {{"log_file", true}},
       [&](AppDecl& d) { d.logs.log_file = logs + "/api.log"; }},
      {"log_file false", {{"log_file", false}}, [](AppDecl&) {}},
      {"log", {{"log", "all.log"}}, [&](AppDecl& d) { d.logs.log_file = base + "/all.log"; }},
      {"merge_logs false", {{"merge_logs", false}}, [](AppDecl& d) { d.logs.merge_logs = false; }},
      {"combine_logs false",
       {{"combine_logs", false}},
       [](AppDecl& d) { d.logs.merge_logs = false; }},
      {"instances given: PM2 does not merge",
       {{"instances", "1"}},
       [](AppDecl& d) { d.logs.merge_logs = false; }},
      {"instances and merge_logs", {{"instances", 1}, {"merge_logs", true}}, [](AppDecl&) {}},
      {"log_date_format",
       {{"log_date_format", "HH:mm"}},
       [](AppDecl& d) { d.logs.date_format = "HH:mm"; }},
      {"time", {{"time", true}}, [](AppDecl& d) { d.logs.date_format = "YYYY-MM-DDTHH:mm:ss"; }},
      {"time does not override log_date_format",
       {{"time", true}, {"log_date_format", "HH:mm"}},
       [](AppDecl& d) { d.logs.date_format = "HH:mm"; }},
      {"log_type json", {{"log_type", "json"}}, [](AppDecl& d) { d.logs.json = true; }},
      {"log_type raw", {{"log_type", "raw"}}, [](AppDecl&) {}},
      {"disable_logs", {{"disable_logs", true}}, [](AppDecl& d) { d.logs.disabled = true; }},
      {"journal false: PM2's default files",
       {{"journal", false}},
       [&](AppDecl& d) {
         d.logs.journal = false;
         d.logs.out_file = logs + "/api-out.log";
         d.logs.error_file = logs + "/api-error.log";
       }},
      {"journal false keeps the declared files",
       {{"journal", false}, {"out_file", "o.log"}, {"error_file", "/dev/null"}},
       [&](AppDecl& d) {
         d.logs.journal = false;
         d.logs.out_file = base + "/o.log";
         d.logs.error_file = "/dev/null";
       }},
      {"journal true", {{"journal", true}}, [](AppDecl&) {}},
      {"pid_file",
       {{"pid_file", "api.pid"}},
       [&](AppDecl& d) { d.logs.pid_file = base + "/api.pid"; }},
      {"pid", {{"pid", "/run/api.pid"}}, [](AppDecl& d) { d.logs.pid_file = "/run/api.pid"; }},
  };
  for (const auto& c : cases) {
    AppDecl expected = baseline();
    c.expect(expected);
    EXPECT_EQ(convert(api(c.fields)).decl, expected) << c.label;
  }
}

TEST_F(AppFields, VizionFalseTurnsTheGitMetadataOff) {
  EXPECT_TRUE(convert(api({})).decl.vizion);
  EXPECT_FALSE(convert(api({{"vizion", false}})).decl.vizion);
  EXPECT_THROW(convert(api({{"vizion", "no"}})), Error);
}

TEST_F(AppFields, LogFileTrueUsesAFileSafeNameAndFallsBackToCwd) {
  ctx_.log_dir.clear();
  const auto out = convert({{"name", "my@app"}, {"script", "app.js"}, {"log_file", true}});
  EXPECT_EQ(out.decl.logs.log_file, srv() + "/my-app.log");
}

TEST_F(AppFields, KeepsACronPatternAsWrittenUnderEitherName) {
  EXPECT_EQ(convert(api({{"cron_restart", "*/2 * * * * *"}})).decl.cron_restart, "*/2 * * * * *");
  EXPECT_EQ(convert(api({{"cron", "0 3 * * MON"}})).decl.cron_restart, "0 3 * * MON");
  for (const json& off : {json(0), json("0"), json(false), json(nullptr), json("")})
    EXPECT_EQ(convert(api({{"cron_restart", off}})).decl.cron_restart, "") << off.dump();
}

TEST_F(AppFields, ReadsWatchAsPm2DoesWithPathsUnderTheCwd) {
  struct Case {
    json fields;
    WatchSettings expected;
  };
  const std::string cwd = baseline().cwd;
  const std::vector<Case> cases = {
      {{{"watch", false}}, {}},
      {{{"watch", 0}}, {}},
      {{{"watch", true}}, {.enabled = true}},
      {{{"watch", 1}}, {.enabled = true}},
      {{{"watch", json::array()}}, {.enabled = true}},
      {{{"watch", "src"}}, {.enabled = true, .paths = {cwd + "/src"}}},
      {{{"watch", {"src/", "../lib", "/etc/app"}}},
       {.enabled = true,
        .paths = {cwd + "/src/", fs::path(cwd).parent_path().string() + "/lib", "/etc/app"}}},
      {{{"watch", true}, {"ignore_watch", "node_modules logs"}, {"watch_delay", 1000}},
       {.enabled = true, .ignore = {"node_modules", "logs"}, .delay_ms = 1000}},
      {{{"watch", true}, {"ignore_watch", {"*.log", "\\.git"}}, {"watch_delay", "2s"}},
       {.enabled = true, .ignore = {"*.log", "\\.git"}, .delay_ms = 2000}},
      {{{"watch", true}, {"watch_options", {{"followSymlinks", false}}}},
       {.enabled = true, .follow_symlinks = false}},
      // Checked even while watch is off, so a file is right before watch is turned on.
      {{{"watch", false}, {"ignore_watch", {"node_modules"}}, {"watch_delay", 100}},
       {.ignore = {"node_modules"}, .delay_ms = 100}},
  };
  for (const auto& c : cases)
    EXPECT_EQ(convert(api(c.fields)).decl.watch, c.expected) << c.fields.dump();
}

TEST_F(AppFields, AcceptsFieldsThatChangeNothingUnderSystemd) {
  const std::vector<json> inert = {
      {{"kill_retry_time", 100}, {"listen_timeout", 3000}},
      {{"shutdown_with_message", false}, {"wait_ready", false}},
      {{"cron_restart", 0}},
      {{"cron", "0"}},
      {{"source_map_support", true}, {"disable_source_map_support", false}},
      {{"vizion", true}, {"post_update", {"npm install"}}, {"execute_command", true}},
      {{"username", "me"}, {"windowsHide", true}, {"pmx", false}, {"automation", false}},
      {{"disable_trace", true}, {"trace", false}, {"v8", false}, {"event_loop_inspector", false}},
      {{"deep_monitoring", false}, {"io", nullptr}},
  };
  for (const auto& fields : inert) {
    const auto out = convert(api(fields));
    EXPECT_EQ(out.decl, baseline()) << fields.dump();
    EXPECT_TRUE(out.warnings.empty()) << fields.dump();
  }
}

// PM2 7: source maps on by default; disable_source_map_support, or an explicit false, turns them
// off (disable wins over source_map_support: true, as PM2 checks it first).
TEST_F(AppFields, ReadsSourceMapSupport) {
  const struct {
    json fields;
    bool on;
  } cases[] = {
      {json::object(), true},
      {{{"source_map_support", true}}, true},
      {{{"source_map_support", false}}, false},
      {{{"disable_source_map_support", true}}, false},
      {{{"disable_source_map_support", false}}, true},
      {{{"source_map_support", true}, {"disable_source_map_support", true}}, false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(convert(api(c.fields)).decl.source_maps, c.on) << c.fields.dump();
  EXPECT_THROW(convert(api({{"source_map_support", "yes"}})), Error);
}

TEST_F(AppFields, ReadsWaitReadyListenTimeoutAndShutdownWithMessage) {
  const auto out = convert(
      api({{"wait_ready", true}, {"listen_timeout", "5s"}, {"shutdown_with_message", true}}));
  EXPECT_TRUE(out.decl.wait_ready);
  EXPECT_EQ(out.decl.listen_timeout_ms, 5000u);
  EXPECT_TRUE(out.decl.shutdown_with_message);
  EXPECT_THROW(convert(api({{"wait_ready", "yes"}})), Error);
}

TEST_F(AppFields, ReturnsForceAndIncrementVar) {
  auto out = convert(api({{"force", true}, {"increment_var", "WORKER_PORT"}}));
  EXPECT_EQ(out.instances, 1);
  EXPECT_FALSE(out.decl.cluster.enabled);
  EXPECT_TRUE(out.force);
  EXPECT_EQ(out.decl.increment_var, "WORKER_PORT");
}

struct ClusterCase {
  const char* label;
  json fields;
  bool cluster;
  int instances;
};

// PM2's rule, on a 4-CPU machine (the fixture's): any instances but 1 means cluster mode,
// "max" and 0 are the CPU count, -k is CPUs - k, never below 1.
TEST_F(AppFields, ReadsInstancesAndExecModeIntoClusterSettings) {
  const std::vector<ClusterCase> cases = {
      {"absent", json::object(), false, 1},
      {"1", {{"instances", 1}}, false, 1},
      {"\"1\"", {{"instances", "1"}}, false, 1},
      {"2", {{"instances", 2}}, true, 2},
      {"\"3\"", {{"instances", "3"}}, true, 3},
      {"max", {{"instances", "max"}}, true, 4},
      {"0", {{"instances", 0}}, true, 4},
      {"-1", {{"instances", -1}}, true, 3},
      {"-10", {{"instances", -10}}, true, 1},
      {"exec_mode cluster alone", {{"exec_mode", "cluster"}}, true, 1},
      {"cluster_mode and 2", {{"exec_mode", "cluster_mode"}, {"instances", 2}}, true, 2},
      {"fork and 1", {{"exec_mode", "fork"}, {"instances", 1}}, false, 1},
  };
  for (const auto& c : cases) {
    json fields = c.fields;
    fields["port"] = 3000;
    const auto out = convert(api(fields));
    EXPECT_EQ(out.decl.cluster.enabled, c.cluster) << c.label;
    EXPECT_EQ(out.decl.cluster.instances, c.instances) << c.label;
    EXPECT_EQ(out.instances, c.instances) << c.label;
    EXPECT_EQ(out.decl.cluster.public_port, c.cluster ? 3000 : 0) << c.label;
  }
}

TEST_F(AppFields, TakesTheClusterPublicPortFromPortElseFromEnv) {
  auto out = convert(api({{"instances", 2}, {"env", {{"PORT", "8080"}}}}));
  EXPECT_EQ(out.decl.cluster.public_port, 8080);
  out = convert(api({{"instances", 2}, {"env", {{"PORT", "8080"}}}, {"port", 9090}}));
  EXPECT_EQ(out.decl.cluster.public_port, 9090);
}

TEST_F(AppFields, ReadsPmctlsClusterFields) {
  const auto out = convert(api({{"instances", 2},
                                {"port", 3000},
                                {"instance_endpoint", "unix"},
                                {"lb_policy", "leastconn"},
                                {"instance_var", "WORKER"}}));
  EXPECT_EQ(out.decl.cluster.endpoints, Endpoints::Unix);
  EXPECT_EQ(out.decl.cluster.policy, Policy::LeastConnections);
  EXPECT_EQ(out.decl.instance_var, "WORKER");
}

TEST_F(AppFields, AppendsTheEnvNameToTheNameOnlyWithEnv) {
  EXPECT_EQ(convert(api({{"append_env_to_name", true}})).decl.name, "api");
  ctx_.env_name = "staging";
  EXPECT_EQ(convert(api({{"append_env_to_name", true}, {"env_staging", json::object()}})).decl.name,
            "api-staging");
}

struct CamelCase {
  const char* key;
  json value;
  std::function<bool(const AppDecl&)> applied;
};

TEST_F(AppFields, AcceptsPm2sCamelCaseFormOfEverySnakeCaseKey) {
  const std::vector<CamelCase> cases = {
      {"maxMemoryRestart", "1K", [](const AppDecl& d) { return d.max_memory_bytes == 1024; }},
      {"maxRestarts", 0, [](const AppDecl& d) { return d.restart.max_restarts == 0; }},
      {"minUptime", 10, [](const AppDecl& d) { return d.restart.min_uptime_ms == 10; }},
      {"killTimeout", 10, [](const AppDecl& d) { return d.restart.kill_timeout_ms == 10; }},
      {"restartDelay", 10, [](const AppDecl& d) { return d.restart.restart_delay_ms == 10; }},
      {"expBackoffRestartDelay", 10,
       [](const AppDecl& d) { return d.restart.exp_backoff_ms == 10; }},
      {"stopExitCodes", 3,
       [](const AppDecl& d) { return d.restart.stop_exit_codes == std::vector<int>{3}; }},
      {"interpreterArgs", "-x",
       [](const AppDecl& d) { return d.interpreter_args == std::vector<std::string>{"-x"}; }},
      {"nodeArgs", "-x",
       [](const AppDecl& d) { return d.interpreter_args == std::vector<std::string>{"-x"}; }},
      {"execInterpreter", "none", [](const AppDecl& d) { return d.interpreter.empty(); }},
      {"outFile", "/o", [](const AppDecl& d) { return d.logs.out_file == "/o"; }},
      {"outLog", "/o", [](const AppDecl& d) { return d.logs.out_file == "/o"; }},
      {"errorFile", "/e", [](const AppDecl& d) { return d.logs.error_file == "/e"; }},
      {"errFile", "/e", [](const AppDecl& d) { return d.logs.error_file == "/e"; }},
      {"errLog", "/e", [](const AppDecl& d) { return d.logs.error_file == "/e"; }},
      {"logFile", "/l", [](const AppDecl& d) { return d.logs.log_file == "/l"; }},
      {"pidFile", "/p", [](const AppDecl& d) { return d.logs.pid_file == "/p"; }},
      {"mergeLogs", false, [](const AppDecl& d) { return !d.logs.merge_logs; }},
      {"combineLogs", false, [](const AppDecl& d) { return !d.logs.merge_logs; }},
      {"logDateFormat", "HH", [](const AppDecl& d) { return d.logs.date_format == "HH"; }},
      {"logType", "json", [](const AppDecl& d) { return d.logs.json; }},
      {"disableLogs", true, [](const AppDecl& d) { return d.logs.disabled; }},
      {"instanceVar", "N", [](const AppDecl& d) { return d.instance_var == "N"; }},
      {"filterEnv", true, [](const AppDecl& d) { return !d.env.contains("LANG"); }},
  };
  for (const auto& c : cases) {
    const auto out = convert(api({{c.key, c.value}}));
    EXPECT_TRUE(c.applied(out.decl)) << c.key;
    EXPECT_TRUE(out.warnings.empty()) << c.key;
  }
}

// Nothing in the table is dropped without a word: a value no field accepts must either be refused
// naming the key as written, or be warned about, for every field, alias and camelCase form.
TEST_F(AppFields, ReadsEveryFieldOfTheTableUnderEverySpelling) {
  const json nonsense = json::array({json::array({json::array()})});
  ctx_.root = true;
  for (const auto& spec : field_table()) {
    std::vector<std::string> keys = {std::string(spec.name), camel_case(spec.name)};
    for (auto alias : spec.aliases)
      keys.insert(keys.end(), {std::string(alias), camel_case(alias)});
    for (const auto& key : keys) {
      json app = api({});
      if (spec.name != "name" && spec.name != "script") app.erase(std::string(spec.name));
      app[key] = nonsense;
      const std::string quoted = "field '" + key + "'";
      try {
        const auto out = convert(app);
        ASSERT_EQ(out.warnings.size(), 1u) << key;
        EXPECT_THAT(out.warnings[0], ::testing::HasSubstr(quoted)) << out.warnings[0];
      } catch (const Error& e) {
        EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(quoted)) << e.what();
      }
    }
  }
}

TEST(FieldTable, CamelCasesSnakeCaseKeysLikePm2) {
  EXPECT_EQ(camel_case("max_memory_restart"), "maxMemoryRestart");
  EXPECT_EQ(camel_case("exec_interpreter"), "execInterpreter");
  EXPECT_EQ(camel_case("script"), "script");
  EXPECT_EQ(camel_case("windowsHide"), "windowsHide");
}

TEST(FieldTable, ListsEveryFieldOfTheReferenceOnce) {
  std::set<std::string_view> names;
  for (const auto& spec : field_table()) EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
  // PM2's 64, plus pmctl's instance_endpoint, lb, lb_policy and journal.
  EXPECT_EQ(names.size(), 68u);
  EXPECT_TRUE(names.count("lb"));
  EXPECT_TRUE(names.count("journal"));
}

}  // namespace
}  // namespace pmctl::core
