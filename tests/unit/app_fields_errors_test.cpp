// What app_from_json refuses, and what it only warns about.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app_fields_fixture.hpp"
#include "core/fields/app_fields.hpp"

namespace pmctl::core {
namespace {

using json = nlohmann::json;
using test::AppFields;

struct ErrorCase {
  json fields;           ///< Added to {"name": "api", "script": "app.js"}.
  std::string expected;  ///< The whole message.
};

TEST_F(AppFields, RefusesWrongTypesNamingTheFileTheAppAndTheKey) {
  const std::vector<ErrorCase> cases = {
      {{{"max_restarts", "abc"}},
       "eco.json: app 'api': field 'max_restarts' must be a non-negative number, got \"abc\""},
      {{{"max_restarts", -1}},
       "eco.json: app 'api': field 'max_restarts' must be a non-negative number, got -1"},
      {{{"maxRestarts", 1.5}},
       "eco.json: app 'api': field 'maxRestarts' must be a non-negative number, got 1.5"},
      {{{"max_restarts", 4294967296}},
       "eco.json: app 'api': field 'max_restarts' must be a non-negative number below 2^32, got "
       "4294967296"},
      {{{"autorestart", "yes"}},
       "eco.json: app 'api': field 'autorestart' must be true or false, got \"yes\""},
      {{{"autostart", 1}}, "eco.json: app 'api': field 'autostart' must be true or false, got 1"},
      {{{"treekill", nullptr}},
       "eco.json: app 'api': field 'treekill' must be true or false, got null"},
      {{{"restart_delay", "soon"}},
       "eco.json: app 'api': field 'restart_delay' must be a duration in ms (1600) or with a unit "
       "(\"2s\", "
       "\"1m\"), got \"soon\""},
      {{{"min_uptime", -5}},
       "eco.json: app 'api': field 'min_uptime' must be a duration in ms (1600) or with a unit "
       "(\"2s\", "
       "\"1m\"), got -5"},
      {{{"kill_timeout", true}},
       "eco.json: app 'api': field 'kill_timeout' must be a duration in ms (1600) or with a unit "
       "(\"2s\", "
       "\"1m\"), got true"},
      {{{"exp_backoff_restart_delay", {1}}},
       "eco.json: app 'api': field 'exp_backoff_restart_delay' must be a duration in ms (1600) or "
       "with a "
       "unit (\"2s\", \"1m\"), got [1]"},
      {{{"max_memory_restart", "200X"}},
       "eco.json: app 'api': field 'max_memory_restart' must be a size in bytes or with K, M, G "
       "(\"200M\"), got \"200X\""},
      {{{"stop_exit_codes", 256}},
       "eco.json: app 'api': field 'stop_exit_codes' must be exit codes from 0 to 255, got 256"},
      {{{"stop_exit_codes", {1, -1}}},
       "eco.json: app 'api': field 'stop_exit_codes' must be exit codes from 0 to 255, got [1,-1]"},
      {{{"stop_exit_codes", {{{"a", 1}}}}},
       "eco.json: app 'api': field 'stop_exit_codes' must be a string or an array of strings, got "
       "[{\"a\":1}]"},
      {{{"args", {{"a", 1}}}},
       "eco.json: app 'api': field 'args' must be a string or an array of strings, got {\"a\":1}"},
      {{{"node_args", "'open"}},
       "eco.json: app 'api': field 'node_args': unterminated ' quote in arguments ''open'"},
      {{{"namespace", ""}},
       "eco.json: app 'api': field 'namespace': invalid namespace '': it is empty"},
      {{{"namespace", "prod\nfake"}},
       "eco.json: app 'api': field 'namespace': invalid namespace 'prod\\x0afake': only letters, "
       "digits and _ . @ : + - are allowed"},
      {{{"namespace", "42"}},
       "eco.json: app 'api': field 'namespace': invalid namespace '42': digits alone would be read "
       "as an id ('pmctl stop 1' means id 1)"},
      {{{"namespace", "all"}},
       "eco.json: app 'api': field 'namespace': invalid namespace 'all': 'all' is reserved, it "
       "selects every app"},
      {{{"namespace", 3}}, "eco.json: app 'api': field 'namespace' must be a string, got 3"},
      {{{"cwd", 3}}, "eco.json: app 'api': field 'cwd' must be a string, got 3"},
      {{{"env", "A=1"}}, "eco.json: app 'api': field 'env' must be an object, got \"A=1\""},
      {{{"filter_env", 5}},
       "eco.json: app 'api': field 'filter_env' must be true, false, a string or an array of "
       "strings, got 5"},
      {{{"port", "http"}},
       "eco.json: app 'api': field 'port' must be a non-negative number, got \"http\""},
      {{{"port", 70000}},
       "eco.json: app 'api': field 'port' must be a port number from 0 to 65535, got 70000"},
      {{{"instances", 1.5}},
       "eco.json: app 'api': field 'instances' must be a number or \"max\", got 1.5"},
      {{{"instances", "many"}},
       "eco.json: app 'api': field 'instances' must be a number or \"max\", got \"many\""},
      {{{"exec_mode", "thread"}},
       "eco.json: app 'api': field 'exec_mode' must be \"fork\" or \"cluster\", got \"thread\""},
      {{{"instance_var", "1X"}},
       "eco.json: app 'api': field 'instance_var' must be an environment variable name (letters, "
       "digits, "
       "_), got \"1X\""},
      {{{"increment_var", "A-B"}},
       "eco.json: app 'api': field 'increment_var' must be an environment variable name (letters, "
       "digits, "
       "_), got \"A-B\""},
      {{{"out_file", 5}}, "eco.json: app 'api': field 'out_file' must be a string, got 5"},
      {{{"err", ""}},
       "eco.json: app 'api': field 'err' must be a file path (or \"NULL\" to discard), got \"\""},
      {{{"log_file", 1}}, "eco.json: app 'api': field 'log_file' must be a string, got 1"},
      {{{"combine_logs", "no"}},
       "eco.json: app 'api': field 'combine_logs' must be true or false, got \"no\""},
      {{{"log_type", "xml"}},
       "eco.json: app 'api': field 'log_type' must be \"json\" or \"raw\", got \"xml\""},
      {{{"time", "yes"}}, "eco.json: app 'api': field 'time' must be true or false, got \"yes\""},
      {{{"log_date_format", false}},
       "eco.json: app 'api': field 'log_date_format' must be a string, got false"},
      {{{"disable_logs", 0}},
       "eco.json: app 'api': field 'disable_logs' must be true or false, got 0"},
      {{{"pid", {}}}, "eco.json: app 'api': field 'pid' must be a string, got null"},
      {{{"journal", "no"}},
       "eco.json: app 'api': field 'journal' must be true or false, got \"no\""},

      {{{"force", "yes"}}, "eco.json: app 'api': field 'force' must be true or false, got \"yes\""},
      {{{"append_env_to_name", 1}},
       "eco.json: app 'api': field 'append_env_to_name' must be true or false, got 1"},
      {{{"kill_retry_time", "x"}},
       "eco.json: app 'api': field 'kill_retry_time' must be a duration in ms (1600) or with a "
       "unit "
       "(\"2s\", \"1m\"), got \"x\""},
      {{{"ignore_watch", 5}},
       "eco.json: app 'api': field 'ignore_watch' must be a string or an array of strings, got 5"},
      {{{"watch_options", 5}},
       "eco.json: app 'api': field 'watch_options' must be an object, got 5"},
      {{{"watch_options", {{"usePolling", true}}}},
       "eco.json: app 'api': field 'watch_options': 'usePolling' is a chokidar option pmctl does "
       "not have"},
      {{{"watch_options", {{"followSymlinks", "no"}}}},
       "eco.json: app 'api': field 'watch_options' must be {followSymlinks: true or false}, got "
       "{\"followSymlinks\":\"no\"}"},
      {{{"watch", {1}}},
       "eco.json: app 'api': field 'watch' must be true, a path or a list of paths, got [1]"},
      {{{"watch_delay", "soon"}},
       "eco.json: app 'api': field 'watch_delay' must be a duration in ms (1600) or with a unit "
       "(\"2s\", \"1m\"), got \"soon\""},
      {{{"vizion", "no"}}, "eco.json: app 'api': field 'vizion' must be true or false, got \"no\""},
      {{{"username", 5}}, "eco.json: app 'api': field 'username' must be a string, got 5"},
      {{{"pmx", "off"}}, "eco.json: app 'api': field 'pmx' must be true or false, got \"off\""},
      {{{"interpreter", 5}}, "eco.json: app 'api': field 'interpreter' must be a string, got 5"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(api(c.fields)), c.expected) << c.fields.dump();
}

TEST_F(AppFields, RefusesWhatPmctlCannotDoYetWithAReason) {
  const std::vector<ErrorCase> cases = {
      {{{"trace", true}},
       "eco.json: app 'api': field 'trace': PM2 Plus monitoring is not part of pmctl, got true"},
      {{{"v8", true}},
       "eco.json: app 'api': field 'v8': PM2 Plus monitoring is not part of pmctl, got true"},
      {{{"event_loop_inspector", true}},
       "eco.json: app 'api': field 'event_loop_inspector': PM2 Plus monitoring is not part of "
       "pmctl, got true"},
      {{{"deep_monitoring", true}},
       "eco.json: app 'api': field 'deep_monitoring': PM2 Plus monitoring is not part of pmctl, "
       "got true"},
      {{{"io", json::object()}},
       "eco.json: app 'api': field 'io': PM2 Plus monitoring is not part of pmctl, got {}"},
      {{{"instances", 2}, {"env", {{"PORT", "http"}}}},
       "eco.json: app 'api': field 'port': the public port of 'api' must be a number from 1 to "
       "65535, got 'http'"},
      {{{"instances", 1000}, {"port", 3000}},
       "eco.json: app 'api': field 'instances': instances: 1000 instances are more than pmctl runs "
       "for one app (256)"},
      {{{"instances", 2}, {"port", 3000}, {"increment_var", "PORT"}},
       "eco.json: app 'api': increment_var 'PORT' is a variable pmctl sets per instance"},
      {{{"instances", 2}, {"port", 3000}, {"lb_policy", "random"}},
       "eco.json: app 'api': the balancer policy must be rr or leastconn, got 'random'"},
      {{{"instances", 2}, {"port", 3000}, {"instance_endpoint", "udp"}},
       "eco.json: app 'api': instance endpoints must be tcp or unix, got 'udp'"},
      {{{"instances", 2}, {"port", 3000}, {"lb", "reuseport"}},
       "eco.json: app 'api': the load balancing mode must be proxy or shared, got 'reuseport'"},
      {{{"instances", 2},
        {"port", 3000},
        {"lb", "shared"},
        {"instance_endpoint", "unix"},
        {"lb_policy", "random"}},
       "eco.json: app 'api': shared mode has no private endpoints: instance_endpoint 'unix' does "
       "not apply"},
      {{{"instances", 2}, {"lb_policy", "rr"}},
       "eco.json: app 'api': lb_policy applies behind a balancer, and 'api' has no public port"},
      {{{"instances", 2}, {"lb", "shared"}},
       "eco.json: app 'api': lb applies behind a balancer, and 'api' has no public port"},
      {{{"uid", "root"}},
       "eco.json: app 'api': field 'uid': running an app as another user needs root"},
      {{{"gid", "root"}},
       "eco.json: app 'api': field 'gid': running an app as another user needs root"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(api(c.fields)), c.expected) << c.fields.dump();
}

TEST_F(AppFields, RefusesABadCronPatternNamingTheFieldAsWritten) {
  const std::vector<ErrorCase> cases = {
      {{{"cron_restart", "0 61 * * *"}},
       "eco.json: app 'api': field 'cron_restart': '0 61 * * *' is not a cron pattern pmctl can "
       "run: hour '61' is out of range: 61 is not from 0 to 23"},
      {{{"cron", "* * *"}},
       "eco.json: app 'api': field 'cron': '* * *' is not a cron pattern: it has 3 fields, not 5 "
       "or 6"},
      {{{"cron_restart", 5}},
       "eco.json: app 'api': field 'cron_restart' must be a cron pattern such as \"0 3 * * *\", "
       "got 5"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(api(c.fields)), c.expected) << c.fields.dump();
}

TEST_F(AppFields, RefusesMissingScriptsUnknownInterpretersAndUsers) {
  ctx_.root = true;
  const std::vector<ErrorCase> cases = {
      {{{"script", nullptr}}, "eco.json: app 'api': field 'script' must be a string, got null"},
      {{{"script", "missing.js"}},
       "eco.json: app 'api': field 'script': script not found: 'missing.js'"},
      {{{"cmd", "missing.js"}, {"script", "gone.js"}},
       "eco.json: app 'api': field 'script': script not found: 'gone.js'"},
      {{{"interpreter", "ruby"}},
       "eco.json: app 'api': field 'interpreter': interpreter 'ruby' is not available in PATH"},
      {{{"exec_interpreter", "node@18"}},
       "eco.json: app 'api': field 'exec_interpreter': nvm versions like 'node@18' are not "
       "supported"},
      {{{"cwd", "nowhere"}},
       "eco.json: app 'api': field 'cwd': directory '" + srv() + "/nowhere' does not exist"},
      {{{"uid", "pmctl-no-such-user"}},
       "eco.json: app 'api': field 'uid': no user 'pmctl-no-such-user' on this system"},
      {{{"uid", -1}},
       "eco.json: app 'api': field 'uid' must be a name or a non-negative number, got -1"},
      {{{"gid", "pmctl-no-such-group"}},
       "eco.json: app 'api': field 'gid': no group 'pmctl-no-such-group' on this system"},
      {{{"name", "all"}},
       "eco.json: app 'all': field 'name': invalid app name 'all': 'all' is reserved, it selects "
       "every app"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(api(c.fields)), c.expected) << c.fields.dump();
}

TEST_F(AppFields, NamesAnAppWithoutAUsableNameByItsPlace) {
  EXPECT_EQ(error_of({{"script", "app.js"}, {"name", 5}}),
            "eco.json: app #1: field 'name' must be a string, got 5");
  EXPECT_EQ(error_of({{"name", "api"}}), "eco.json: app 'api': field 'script' is missing");
  EXPECT_EQ(error_of(json::array()), "eco.json: app #1 must be an object, got []");
  EXPECT_EQ(error_of({{"script", "app.js"}, {"max_restarts", "x"}}),
            "eco.json: app 'app': field 'max_restarts' must be a non-negative number, got \"x\"");
}

TEST_F(AppFields, GivesAHintWithEachError) {
  try {
    convert(api({{"trace", true}}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.hint(), "remove the field; 'pmctl monit' and journalctl show the app");
    EXPECT_EQ(e.exit_code(), 1);
  }
  try {
    convert(api({{"min_uptime", "1x"}}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST_F(AppFields, WarnsAboutUnknownKeysAndIgnoresThem) {
  const auto out = convert(api({{"foo", 1}, {"kill_signal", "SIGTERM"}, {"env_", 1}}));
  EXPECT_EQ(out.decl, baseline());
  EXPECT_EQ(out.warnings, (std::vector<std::string>{
                              "eco.json: app 'api': unknown field 'env_', ignoring",
                              "eco.json: app 'api': unknown field 'foo', ignoring",
                              "eco.json: app 'api': unknown field 'kill_signal', ignoring",
                          }));
}

TEST_F(AppFields, WarnsAboutPm2sInternalFields) {
  const auto out = convert(api({{"write", true}}));
  EXPECT_EQ(out.warnings, (std::vector<std::string>{
                              "eco.json: app 'api': field 'write' is internal to PM2, ignoring"}));
}

TEST_F(AppFields, TakesTheCanonicalKeyOverAnAliasAndSaysSo) {
  const auto out = convert(api({{"cmd", "worker.py"}, {"maxRestarts", 1}, {"max_restarts", 2}}));
  EXPECT_EQ(out.decl.script, srv() + "/app.js");
  EXPECT_EQ(out.decl.restart.max_restarts, 2u);
  EXPECT_EQ(
      out.warnings,
      (std::vector<std::string>{
          "eco.json: app 'api': field 'maxRestarts' is also given as 'max_restarts', ignoring "
          "'maxRestarts'",
          "eco.json: app 'api': field 'cmd' is also given as 'script', ignoring 'cmd'",
      }));
}

TEST_F(AppFields, WarnsThatACommandStringIgnoresArgsAndInterpreter) {
  const auto out = convert(api({{"script", "echo hi"}, {"args", "x"}, {"node_args", "-y"}}));
  EXPECT_EQ(
      out.warnings,
      (std::vector<std::string>{
          "eco.json: app 'api': field 'args' has no effect on a command string, ignoring",
          "eco.json: app 'api': field 'node_args' has no effect on a command string, ignoring",
      }));
}

TEST_F(AppFields, ValidatesEveryAppOfAFileAndRefusesDuplicateNames) {
  const std::vector<json> apps = {api({}), {{"name", "worker"}, {"script", "worker.py"}}, api({})};
  try {
    apps_from_json(apps, ctx_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "eco.json: app 'api': field 'name': apps #1 and #3 are both named 'api'");
  }
  const std::vector<json> bad_second = {api({}), {{"name", "worker"}}};
  EXPECT_THROW(apps_from_json(bad_second, ctx_), Error);
  const auto ok = apps_from_json({api({}), {{"name", "worker"}, {"script", "worker.py"}}}, ctx_);
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[1].decl.name, "worker");
}

TEST_F(AppFields, ChecksDuplicatesAfterAppendingTheEnvName) {
  ctx_.env_name = "prod";
  const std::vector<json> apps = {api({{"append_env_to_name", true}}),
                                  {{"name", "api-prod"}, {"script", "app.js"}}};
  try {
    apps_from_json(apps, ctx_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "eco.json: app 'api-prod': field 'name': apps #1 and #2 are both named 'api-prod'");
  }
}

}  // namespace
}  // namespace pmctl::core
