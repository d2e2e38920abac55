// cron_restart against the sandbox's systemd: the app's timer (pmctl-<name>-cron.timer) and its
// oneshot service restart a fork app and reload a cluster app on the pattern's ticks; a bad
// pattern is refused before anything exists; stop keeps the timer (PM2 keeps a stopped app's
// cron job), delete and a rename take it away; a daemon-reload keeps it; `show` prints the
// pattern and systemd's own next elapse. Ports: 17640-17649.
#include <gmock/gmock.h>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kEveryTwoSeconds = "*/2 * * * * *";

std::string timer_of(const std::string& name) { return "pmctl-" + name + "-cron.timer"; }
std::string service_of(const std::string& name) { return "pmctl-" + name + "-cron.service"; }

/// The loaded units whose names start with `prefix`, one a line.
std::string loaded_units(const std::string& prefix) {
  return sh("systemctl list-units --all --no-legend --plain '" + prefix + "*' | awk '{print $1}'")
      .out;
}

int restarts_of(const std::string& name) { return app(name)["pm2_env"]["restart_time"]; }
int pid_of(const std::string& name) { return app(name)["pid"]; }

class CronRestartTest : public ClusterFixture {};

TEST_F(CronRestartTest, AForkAppIsRestartedOnEachTickWithANewPid) {
  start({app_path("server.js"), "--name", "cronfork", "--cron-restart", kEveryTwoSeconds});
  EXPECT_EQ(unit_property(timer_of("cronfork"), "ActiveState"), "active");
  EXPECT_THAT(unit_property(timer_of("cronfork"), "TimersCalendar"), HasSubstr("*-*-* *:*:00/2"));
  EXPECT_EQ(unit_property(service_of("cronfork"), "Slice"), "pmctl-cronfork.slice");
  EXPECT_THAT(unit_property(service_of("cronfork"), "ExecStart"),
              HasSubstr("--system restart cronfork"));
  ASSERT_TRUE(eventually([] { return status_of("cronfork") == "online"; }));
  const int pid = pid_of("cronfork");
  ASSERT_TRUE(eventually([&] {
    return status_of("cronfork") == "online" && pid_of("cronfork") != pid;
  })) << sh("journalctl --no-pager -n 20 -u " + service_of("cronfork")).out;
  EXPECT_TRUE(eventually([] { return restarts_of("cronfork") >= 2; }))
      << sh("journalctl --no-pager -n 20 -u " + service_of("cronfork")).out;
  // The restarts are pmctl's own, from the service, as `systemctl` reports them.
  EXPECT_THAT(sh("journalctl --no-pager -u " + service_of("cronfork")).out, HasSubstr("cronfork"));
}

// The schedule comes with a reload's options (so the start's probes do not race the ticks).
TEST_F(CronRestartTest, AClusterAppIsReloadedInstanceByInstance) {
  const int port = 17640;
  start_cluster_app("http_keepalive.js", "cronweb", 2, port, {});
  ASSERT_EQ(pmctl({"reload", "cronweb", "--cron-restart", "*/3 * * * * *"}).exit_code, 0);
  EXPECT_THAT(unit_property(service_of("cronweb"), "ExecStart"),
              HasSubstr("--system reload cronweb"));
  const std::set<int> before = pids("cronweb");
  ASSERT_TRUE(all_replaced("cronweb", before, 2))
      << sh("journalctl --no-pager -n 30 -u " + service_of("cronweb")).out;
  EXPECT_EQ(rows("cronweb").at(0)["pm2_env"]["cron_restart"], "*/3 * * * * *");
}

TEST_F(CronRestartTest, ABadPatternIsRefusedNamingTheFieldAndNothingIsCreated) {
  const Result flag =
      pmctl({"start", app_path("server.js"), "--name", "cronbad", "--cron", "0 61 * * *"});
  EXPECT_EQ(flag.exit_code, 1);
  EXPECT_THAT(flag.err, HasSubstr("pmctl: error: --cron-restart: '0 61 * * *' is not a cron "
                                  "pattern pmctl can run: hour '61' is out of range"));
  const std::string eco = "/tmp/" + unique_name("cron-eco") + ".json";
  sh("printf '%s' '{\"apps\":[{\"name\":\"cronbad\",\"script\":\"" + app_path("server.js") +
     "\",\"cron_restart\":\"0 0 30 2 *\"}]}' > " + eco);
  const Result file = pmctl({"start", eco});
  EXPECT_EQ(file.exit_code, 1);
  EXPECT_THAT(file.err, HasSubstr("field 'cron_restart': '0 0 30 2 *'"));
  EXPECT_THAT(file.err, HasSubstr("never fire"));
  sh("rm -f " + eco);
  EXPECT_TRUE(jlist().empty());
  EXPECT_EQ(loaded_units("pmctl-cronbad"), "");

  // On restart too: the app and its timer stay as they were.
  start({app_path("server.js"), "--name", "cronkeep", "--cron", "0 3 * * *"});
  const Result again = pmctl({"restart", "cronkeep", "--cron-restart", "* * * * MON#2"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("--cron-restart"));
  EXPECT_THAT(unit_property(timer_of("cronkeep"), "TimersCalendar"), HasSubstr("03:00:00"));
  EXPECT_EQ(app("cronkeep")["pm2_env"]["cron_restart"], "0 3 * * *");
}

// The ecosystem field (here by its alias `cron`) makes the timer; the file without it, restarted,
// takes it away.
TEST_F(CronRestartTest, AnEcosystemFilesFieldMakesTheTimerAndItsAbsenceRemovesIt) {
  const std::string eco = "/tmp/" + unique_name("cron-eco") + ".json";
  const auto write = [&](const std::string& extra) {
    sh("printf '%s' '{\"apps\":[{\"name\":\"croneco\",\"script\":\"" + app_path("server.js") +
       "\"" + extra + "}]}' > " + eco);
  };
  write(",\"cron\":\"0 5 * * *\"");
  ASSERT_EQ(pmctl({"start", eco}).exit_code, 0);
  EXPECT_THAT(unit_property(timer_of("croneco"), "TimersCalendar"), HasSubstr("05:00:00"));
  write("");
  ASSERT_EQ(pmctl({"restart", eco}).exit_code, 0);
  EXPECT_EQ(loaded_units("pmctl-croneco-cron"), "");
  EXPECT_EQ(status_of("croneco"), "online");
  sh("rm -f " + eco);
}

TEST_F(CronRestartTest, StopKeepsTheTimerAsPm2DoesAndTheNextTickStartsTheAppAgain) {
  start({app_path("server.js"), "--name", "cronstop", "--cron-restart", kEveryTwoSeconds});
  ASSERT_EQ(pmctl({"stop", "cronstop"}).exit_code, 0);
  EXPECT_EQ(unit_property(timer_of("cronstop"), "ActiveState"), "active");
  EXPECT_TRUE(eventually([] { return status_of("cronstop") == "online"; }));
}

TEST_F(CronRestartTest, DeleteRemovesTheTimerItsServiceAndTheirRuntimeFiles) {
  start({app_path("server.js"), "--name", "crondel", "--cron-restart", "0 3 * * *"});
  EXPECT_EQ(sh("test -d /run/systemd/system/" + service_of("crondel") + ".d").exit_code, 0);
  ASSERT_EQ(pmctl({"delete", "crondel"}).exit_code, 0);
  EXPECT_EQ(loaded_units("pmctl-crondel"), "");
  EXPECT_NE(sh("test -e /run/systemd/system/" + service_of("crondel") + ".d").exit_code, 0);
  EXPECT_NE(sh("test -e /run/pmctl/companions/" + timer_of("crondel")).exit_code, 0);
}

TEST_F(CronRestartTest, ARenameMovesTheTimerAndANewPatternOrZeroChangesIt) {
  start({app_path("server.js"), "--name", "cronold", "--cron-restart", "0 3 * * *"});
  ASSERT_EQ(pmctl({"restart", "cronold", "--name", "cronnew"}).exit_code, 0);
  EXPECT_EQ(loaded_units("pmctl-cronold"), "");
  EXPECT_EQ(unit_property(timer_of("cronnew"), "ActiveState"), "active");
  EXPECT_THAT(unit_property(service_of("cronnew"), "ExecStart"), HasSubstr("restart cronnew"));

  ASSERT_EQ(pmctl({"restart", "cronnew", "--cron-restart", "30 4 * * *"}).exit_code, 0);
  EXPECT_THAT(unit_property(timer_of("cronnew"), "TimersCalendar"), HasSubstr("04:30:00"));
  ASSERT_EQ(pmctl({"restart", "cronnew", "--cron-restart", "0"}).exit_code, 0);
  EXPECT_EQ(loaded_units("pmctl-cronnew-cron"), "");
  EXPECT_TRUE(app("cronnew")["pm2_env"]["cron_restart"].is_null());
}

TEST_F(CronRestartTest, ADaemonReloadKeepsTheTimerAndItStillFires) {
  start({app_path("server.js"), "--name", "cronreload", "--cron-restart", kEveryTwoSeconds});
  ASSERT_EQ(sh("systemctl daemon-reload").exit_code, 0);
  for (const auto& unit : {timer_of("cronreload"), service_of("cronreload")}) {
    EXPECT_EQ(unit_property(unit, "LoadState"), "loaded") << unit;
    EXPECT_EQ(unit_property(unit, "NeedDaemonReload"), "no") << unit;
  }
  EXPECT_EQ(unit_property(timer_of("cronreload"), "ActiveState"), "active");
  EXPECT_THAT(unit_property(service_of("cronreload"), "ExecStart"),
              HasSubstr("restart cronreload"));
  const int restarts = restarts_of("cronreload");
  EXPECT_TRUE(eventually([&] { return restarts_of("cronreload") > restarts; }))
      << sh("systemctl status --no-pager " + service_of("cronreload")).out;
}

TEST_F(CronRestartTest, ShowPrintsThePatternAndSystemdsNextElapse) {
  start({app_path("server.js"), "--name", "cronshow", "--cron-restart", "0 3 1,15 * MON"});
  const std::string show = pmctl({"show", "cronshow"}).out;
  EXPECT_EQ(show_cell(show, "cron restart"), "0 3 1,15 * MON");
  EXPECT_EQ(show_cell(show, "cron calendar"), "*-*-1,15 3:0:0 | Mon *-*-* 3:0:0");
  EXPECT_THAT(show_cell(show, "cron timer"), HasSubstr(timer_of("cronshow") + ": active"));
  const std::string next = unit_property(timer_of("cronshow"), "NextElapseUSecRealtime");
  ASSERT_FALSE(next.empty());
  const std::string iso = sh("date -u -d '" + next + "' +%Y-%m-%dT%H:%M:%S.000Z | tr -d '\\n'").out;
  EXPECT_EQ(show_cell(show, "next cron restart"), iso) << next;
  EXPECT_THAT(iso, HasSubstr("T03:00:00"));
}

TEST_F(CronRestartTest, LsAndLogsPassTheCompanionUnitsBy) {
  start({app_path("server.js"), "--name", "cronlogs", "--cron-restart", kEveryTwoSeconds});
  // A follow over two ticks: only the app's own lines, none of what its cron service printed.
  const Result logs = sh("timeout 5 " + std::string(PMCTL_BINARY) + " logs --raw");
  EXPECT_THAT(logs.out, HasSubstr("server: out"));
  EXPECT_THAT(logs.out, Not(HasSubstr("│")));
  EXPECT_EQ(jlist().size(), 1u);
  EXPECT_THAT(pmctl({"ls"}).out, Not(HasSubstr("cron.")));
}

}  // namespace
}  // namespace pmctl::test
