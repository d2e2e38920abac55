// The fork-mode lifecycle against a real systemd: start, crash and restart, stop, restart,
// delete, and that systemctl agrees with what pmctl says.
#include <gmock/gmock.h>
#include <signal.h>

#include <set>
#include <thread>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_F(PmctlTest, StartsANodeAppThatSystemctlSeesRunning) {
  const std::string name = unique_name("web");
  start({app_path("server.js"), "--name", name});
  const auto a = app(name);
  ASSERT_FALSE(a.is_null());
  EXPECT_EQ(a["pm2_env"]["status"], "online");
  const std::string unit = a["pm2_env"]["unit"];
  EXPECT_EQ(unit_property(unit, "ActiveState"), "active");
  EXPECT_EQ(unit_property(unit, "MainPID"), std::to_string(a["pid"].get<int>()));
  std::string escaped;
  for (char ch : name) escaped += ch == '-' ? std::string("\\x2d") : std::string(1, ch);
  EXPECT_EQ(unit_property(unit, "Slice"), "pmctl-" + escaped + ".slice");
  EXPECT_EQ(unit, "pmctl-" + escaped + "-" + std::to_string(a["pm_id"].get<int>()) + ".service");
  // The main process is the app itself (systemd-cat execs it), run by node.
  const std::string cmdline =
      read_file("/proc/" + std::to_string(a["pid"].get<int>()) + "/cmdline");
  EXPECT_THAT(cmdline, ::testing::HasSubstr("server.js"));
  EXPECT_THAT(cmdline, ::testing::HasSubstr("node"));
}

TEST_F(PmctlTest, StartsAPythonAppWithUnbufferedOutput) {
  const std::string name = unique_name("py");
  start({app_path("printer.py"), "--name", name});
  EXPECT_EQ(status_of(name), "online");
  EXPECT_TRUE(eventually([&] {
    return pmctl({"logs", name, "--nostream", "--lines", "5"}).out.find("printer: out") !=
           std::string::npos;
  }));
}

TEST_F(PmctlTest, LeavesNoPmctlProcessBehind) {
  start({app_path("server.js"), "--name", unique_name("nodaemon")});
  EXPECT_NE(sh("pgrep -x pmctl").exit_code, 0) << sh("pgrep -a -x pmctl").out;
}

TEST_F(PmctlTest, RestartsAnAppKilledWithSigkillAndCountsIt) {
  const std::string name = unique_name("crashy");
  start({app_path("server.js"), "--name", name});
  const int pid = app(name)["pid"];
  ASSERT_GT(pid, 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] {
    const auto a = app(name);
    return a["pid"].get<int>() != pid && a["pid"].get<int>() > 0 &&
           a["pm2_env"]["status"] == "online";
  }));
  const auto a = app(name);
  EXPECT_EQ(a["pm2_env"]["restart_time"], 1);
  EXPECT_EQ(unit_property(a["pm2_env"]["unit"], "NRestarts"), "1");
}

TEST_F(PmctlTest, StopKeepsTheAppListedAsStoppedAndSystemdUnloadsTheUnit) {
  const std::string name = unique_name("stopme");
  start({app_path("server.js"), "--name", name});
  const std::string unit = unit_of(name);
  ASSERT_EQ(pmctl({"stop", name}).exit_code, 0);
  EXPECT_EQ(status_of(name), "stopped");
  EXPECT_EQ(app(name)["pid"], 0);
  EXPECT_TRUE(eventually([&] { return unit_property(unit, "LoadState") == "not-found"; }));
}

TEST_F(PmctlTest, StartOfAStoppedNameStartsItAgainWithTheSameId) {
  const std::string name = unique_name("smart");
  start({app_path("server.js"), "--name", name});
  const int id = app(name)["pm_id"];
  ASSERT_EQ(pmctl({"stop", name}).exit_code, 0);
  ASSERT_EQ(pmctl({"start", name}).exit_code, 0);
  EXPECT_EQ(status_of(name), "online");
  EXPECT_EQ(app(name)["pm_id"], id);
  EXPECT_EQ(jlist().size(), 1u);
}

TEST_F(PmctlTest, RestartOfAnOnlineAppCountsButRestartOfAStoppedOneDoesNot) {
  const std::string name = unique_name("counter");
  start({app_path("server.js"), "--name", name});
  const int pid = app(name)["pid"];
  ASSERT_EQ(pmctl({"restart", name}).exit_code, 0);
  EXPECT_EQ(app(name)["pm2_env"]["restart_time"], 1);
  EXPECT_NE(app(name)["pid"], pid);
  ASSERT_EQ(pmctl({"stop", name}).exit_code, 0);
  ASSERT_EQ(pmctl({"restart", name}).exit_code, 0);
  EXPECT_EQ(status_of(name), "online");
  EXPECT_EQ(app(name)["pm2_env"]["restart_time"], 1);
}

TEST_F(PmctlTest, StopRestartAndDeleteSelectByNameIdNamespaceAndAll) {
  const std::string a = unique_name("a"), b = unique_name("b"), c = unique_name("c");
  start({app_path("server.js"), "--name", a, "--namespace", "blue"});
  start({app_path("server.js"), "--name", b, "--namespace", "blue"});
  start({app_path("server.js"), "--name", c, "--namespace", "green"});
  ASSERT_EQ(pmctl({"stop", "blue"}).exit_code, 0);
  EXPECT_EQ(status_of(a), "stopped");
  EXPECT_EQ(status_of(b), "stopped");
  EXPECT_EQ(status_of(c), "online");
  const std::string c_id = std::to_string(app(c)["pm_id"].get<int>());
  ASSERT_EQ(pmctl({"stop", c_id}).exit_code, 0);
  EXPECT_EQ(status_of(c), "stopped");
  ASSERT_EQ(pmctl({"restart", "all"}).exit_code, 0);
  for (const auto& n : {a, b, c}) EXPECT_EQ(status_of(n), "online") << n;
  ASSERT_EQ(pmctl({"delete", a}).exit_code, 0);
  EXPECT_EQ(status_of(a), "absent");
  ASSERT_EQ(pmctl({"delete", "all"}).exit_code, 0);
  EXPECT_EQ(jlist().size(), 0u);
  EXPECT_EQ(sh("systemctl list-units --all --no-legend 'pmctl-*.service' | wc -l").out, "0\n");
}

TEST_F(PmctlTest, DeletingEveryAppResetsIdsToZeroLikePm2) {
  start({app_path("server.js"), "--name", unique_name("first")});
  start({app_path("server.js"), "--name", unique_name("second")});
  ASSERT_EQ(pmctl({"delete", "all"}).exit_code, 0);
  const std::string name = unique_name("third");
  start({app_path("server.js"), "--name", name});
  EXPECT_EQ(app(name)["pm_id"], 0);
}

TEST_F(PmctlTest, KillTimeoutSendsSigkillToAnAppIgnoringSigint) {
  const std::string name = unique_name("stubborn");
  start({app_path("ignore_sigint.js"), "--name", name, "--kill-timeout", "700"});
  wait_for_line(name, "ignore_sigint: started");
  EXPECT_EQ(unit_property(unit_of(name), "TimeoutStopUSec"), "700ms");
  const Result r = pmctl({"stop", name});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(r.elapsed, milliseconds(650));
  EXPECT_LT(r.elapsed, milliseconds(1500));
  EXPECT_EQ(status_of(name), "stopped");
}

TEST_F(PmctlTest, DefaultKillTimeoutIsPm2s1600Milliseconds) {
  const std::string name = unique_name("stubborn-default");
  start({app_path("ignore_sigint.js"), "--name", name});
  wait_for_line(name, "ignore_sigint: started");
  EXPECT_EQ(unit_property(unit_of(name), "KillSignal"), "2");
  const Result r = pmctl({"stop", name});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(r.elapsed, milliseconds(1550));
  EXPECT_EQ(status_of(name), "stopped");
}

TEST_F(PmctlTest, AnAppExiting1Or130OnSigintEndsStoppedNotErrored) {
  for (const char* code : {"1", "130"}) {
    const std::string name = unique_name(std::string("exit") + code);
    std::vector<std::string> args{"start", app_path("exit_on_sigint.js"), "--name", name, "--",
                                  code};
    ASSERT_EQ(pmctl(args).exit_code, 0);
    wait_for_line(name, "exit_on_sigint: started");
    ASSERT_EQ(pmctl({"stop", name}).exit_code, 0);
    EXPECT_EQ(status_of(name), "stopped") << code;
  }
}

TEST_F(PmctlTest, StopExitCodesEndTheAppStoppedWithoutARestart) {
  const std::string name = unique_name("exit42");
  ASSERT_EQ(
      pmctl({"start", app_path("crash.js"), "--name", name, "--stop-exit-codes", "42", "--", "42"})
          .exit_code,
      0);
  ASSERT_TRUE(eventually([&] { return status_of(name) == "stopped"; }));
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(status_of(name), "stopped");
  EXPECT_EQ(app(name)["pm2_env"]["restart_time"], 0);
}

TEST_F(PmctlTest, NoAutorestartLeavesAnExitedAppStopped) {
  const std::string name = unique_name("once");
  ASSERT_EQ(pmctl({"start", app_path("crash.js"), "--name", name, "--no-autorestart", "--", "0"})
                .exit_code,
            0);
  ASSERT_TRUE(eventually([&] { return status_of(name) == "stopped"; }));
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(status_of(name), "stopped");
  EXPECT_EQ(app(name)["pm2_env"]["restart_time"], 0);
}

TEST_F(PmctlTest, AnAppThatExitsZeroIsRestartedLikePm2) {
  const std::string name = unique_name("exit0");
  ASSERT_EQ(pmctl({"start", app_path("crash.js"), "--name", name, "--min-uptime", "10",
                   "--restart-delay", "300", "--", "0"})
                .exit_code,
            0);
  EXPECT_TRUE(eventually([&] { return app(name)["pm2_env"]["restart_time"].get<int>() >= 2; }));
}

TEST_F(PmctlTest, AFastCrashLoopEndsErroredAfter15RestartsLikePm2) {
  const std::string name = unique_name("loop");
  ASSERT_EQ(pmctl({"start", app_path("crash.js"), "--name", name}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return status_of(name) == "errored"; }, seconds(30)));
  const auto a = app(name);
  EXPECT_EQ(a["pm2_env"]["restart_time"], 15);
  // systemd 252 refused the 16th restart ("Start request repeated too quickly") and kept the
  // earlier Result; the unit stays failed.
  EXPECT_EQ(unit_property(a["pm2_env"]["unit"], "ActiveState"), "failed");
  EXPECT_EQ(unit_property(a["pm2_env"]["unit"], "NRestarts"), "16");
  // A manual restart brings it back (and it crash-loops again; that is fine here).
  EXPECT_EQ(pmctl({"restart", name}).exit_code, 0);
}

TEST_F(PmctlTest, RestartDelayShowsWaitingRestart) {
  const std::string name = unique_name("delayed");
  ASSERT_EQ(
      pmctl({"start", app_path("crash.js"), "--name", name, "--restart-delay", "3s"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return status_of(name) == "waiting restart"; }));
  EXPECT_EQ(unit_property(unit_of(name), "RestartUSec"), "3s");
}

TEST_F(PmctlTest, TwentyParallelStartsGetTwentyDistinctIds) {
  std::string cmd;
  for (int i = 0; i < 20; ++i)
    cmd += std::string(PMCTL_BINARY) + " start " + app_path("server.js") + " --name par" +
           std::to_string(i) + " >/dev/null 2>&1 & ";
  cmd += "wait";
  sh(cmd);
  const auto list = jlist();
  ASSERT_EQ(list.size(), 20u);
  std::set<int> ids;
  for (const auto& a : list) {
    ids.insert(a["pm_id"].get<int>());
    EXPECT_EQ(a["pm2_env"]["status"], "online") << a["name"];
  }
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(*ids.begin(), 0);
  EXPECT_EQ(*ids.rbegin(), 19);
}

}  // namespace
}  // namespace pmctl::test
