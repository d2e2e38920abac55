// PM2's day-2 verbs against the sandbox's systemd: sendSignal, reset, pid, id, ping, report, and
// what `show` says in every state. Each test keeps its registry in a temp dir of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

/// The manager's Version property, as systemctl reads it.
std::string manager_version() {
  std::string v = sh("systemctl show --value -p Version").out;
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class OpsVerbsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pmctl-ops-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    p({"delete", "all"});
    fs::remove_all(dir_);
  }

  Result p(const std::vector<std::string>& args) {
    return pmctl(args, {"PMCTL_STATE_DIR=" + (dir_ / "state").string()});
  }

  std::string start_app(const std::string& stem, const std::string& script,
                        const std::vector<std::string>& extra = {}) {
    const std::string name = unique_name(stem);
    std::vector<std::string> args{"start", app_path(script), "--name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = p(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return name;
  }

  nlohmann::json list() {
    const Result r = p({"jlist"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out.empty() ? "[]" : r.out);
  }
  std::vector<nlohmann::json> instances(const std::string& name) {
    std::vector<nlohmann::json> out;
    for (const auto& a : list())
      if (a["name"] == name) out.push_back(a);
    return out;
  }
  nlohmann::json one(const std::string& name) {
    const auto all = instances(name);
    return all.empty() ? nlohmann::json() : all.front();
  }
  std::string status(const std::string& name) {
    const auto a = one(name);
    return a.is_null() ? "" : a["pm2_env"]["status"].get<std::string>();
  }
  unsigned restarts(const std::string& name) {
    return one(name)["pm2_env"]["restart_time"].get<unsigned>();
  }
  std::string logs(const std::string& target) {
    return p({"logs", target, "--nostream", "--raw", "--lines", "200"}).out;
  }
  /// Waits until the app's current process says it is ready (its signal handlers are set).
  std::uint32_t ready_pid(const std::string& name) {
    std::uint32_t pid = 0;
    EXPECT_TRUE(eventually([&] {
      const auto a = one(name);
      if (a.is_null() || a["pm2_env"]["status"] != "online") return false;
      pid = a["pid"].get<std::uint32_t>();
      return pid != 0 && logs(name).find("ready " + std::to_string(pid)) != std::string::npos;
    })) << name
        << " never got ready";
    return pid;
  }
  /// sendSignal SIGUSR1: signal_log.js exits 3, and systemd restarts it.
  void crash(const std::string& name, unsigned expected_restarts) {
    const std::uint32_t before = ready_pid(name);
    const Result r = p({"sendSignal", "SIGUSR1", name});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(eventually([&] {
      const auto a = one(name);
      return a["pm2_env"]["status"] == "online" && a["pid"] != before &&
             a["pm2_env"]["restart_time"] == expected_restarts;
    })) << one(name).dump();
    ready_pid(name);
  }
  void expect_one_error_line(const Result& r, int code, const std::string& fragment) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_THAT(r.err, StartsWith("pmctl: error: "));
    EXPECT_EQ(count_of(r.err, "\n"), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(fragment));
    EXPECT_THAT(r.err, Not(HasSubstr("is required")));  // pmctl's words, not the parser's
  }
  /// registry.json with `edit` applied to the app `name`'s record.
  void edit_record(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
    const fs::path file = dir_ / "state" / "registry.json";
    auto j = nlohmann::json::parse(read_file(file.string()));
    for (auto& a : j["apps"])
      if (a["name"] == name) edit(a);
    std::ofstream(file, std::ios::trunc) << j.dump();
  }

  fs::path dir_;
};

// --- sendSignal ---------------------------------------------------------------------------

TEST_F(OpsVerbsTest, SendSignalReachesTheMainProcessByNameIdAndNumber) {
  const std::string name = start_app("sig", "signal_log.js");
  const std::uint32_t pid = ready_pid(name);
  const std::string id = std::to_string(one(name)["pm_id"].get<int>());

  Result r = p({"sendSignal", "SIGUSR2", name});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sent signal SIGUSR2 to '" + name + "' (id " + id + ")"));
  const std::string got = "signal_log: " + std::to_string(pid) + " got ";
  EXPECT_TRUE(eventually([&] { return logs(name).find(got + "SIGUSR2") != std::string::npos; }));

  r = p({"sendSignal", "usr2", id});  // PM2's id form, a name without SIG
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return count_of(logs(name), got + "SIGUSR2") == 2; }));

  r = p({"sendSignal", "28", name});  // SIGWINCH by number
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return logs(name).find(got + "SIGWINCH") != std::string::npos; }));

  // The main process only (PM2's process.kill(pid)): the app's child never saw a SIGUSR2.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_THAT(logs(name), Not(HasSubstr("child got SIGUSR2")));
  EXPECT_EQ(one(name)["pid"], pid);
  EXPECT_EQ(status(name), "online");
}

TEST_F(OpsVerbsTest, SendSignalByNameSignalsEveryRunningInstance200MsApart) {
  const std::string name = start_app("sigs", "signal_log.js");
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(p({"start", app_path("signal_log.js"), "--name", name, "-f"}).exit_code, 0);
  auto all = instances(name);
  ASSERT_EQ(all.size(), 3u);
  const std::string stopped = std::to_string(all[1]["pm_id"].get<int>());
  ASSERT_EQ(p({"stop", stopped}).exit_code, 0);
  ASSERT_TRUE(eventually([&] {
    std::size_t ready = 0;
    for (const auto& a : instances(name))
      ready += a["pid"] != 0 &&
               logs(std::to_string(a["pm_id"].get<int>()))
                       .find("ready " + std::to_string(a["pid"].get<int>())) != std::string::npos;
    return ready == 2;
  }));

  const Result r = p({"sendSignal", "SIGHUP", name});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_of(r.out, "sent signal SIGHUP"), 2u) << r.out;
  EXPECT_GE(r.elapsed, std::chrono::milliseconds(200));
  for (const auto& a : instances(name)) {
    const std::string id = std::to_string(a["pm_id"].get<int>());
    if (id == stopped) {
      EXPECT_THAT(logs(id), Not(HasSubstr("got SIGHUP")));
      continue;
    }
    EXPECT_TRUE(eventually([&] { return logs(id).find("got SIGHUP") != std::string::npos; })) << id;
  }
}

TEST_F(OpsVerbsTest, SendSignalRefusesAnUnknownSignalAStoppedAppAndAnUnknownApp) {
  const std::string name = start_app("sigbad", "signal_log.js");
  ready_pid(name);
  expect_one_error_line(p({"sendSignal", "SIGFOO", name}), 2, "'SIGFOO' is not a signal");
  expect_one_error_line(p({"sendSignal", "0", name}), 2, "'0' is not a signal");
  expect_one_error_line(p({"sendSignal", "SIGUSR2", "nosuchapp"}), 1, "nosuchapp");
  expect_one_error_line(p({"sendSignal", "SIGUSR2"}), 2, "sendSignal");
  ASSERT_EQ(p({"stop", name}).exit_code, 0);
  expect_one_error_line(p({"sendSignal", "SIGUSR2", name}), 1, "is not running");
  EXPECT_THAT(logs(name), Not(HasSubstr("got SIGUSR2")));
}

// --- reset --------------------------------------------------------------------------------

TEST_F(OpsVerbsTest, ResetZeroesRestartsInLsJlistAndSystemdThenTheyCountUpAgain) {
  const std::string name = start_app("rst", "signal_log.js");
  crash(name, 1);
  crash(name, 2);
  ASSERT_EQ(p({"restart", name}).exit_code, 0);  // manual: folded into the registry
  ASSERT_EQ(restarts(name), 3u);
  crash(name, 4);  // one in the registry's count, one in systemd's NRestarts
  const std::string unit = one(name)["pm2_env"]["unit"].get<std::string>();
  ASSERT_EQ(unit_property(unit, "NRestarts"), "1");
  const auto created_before = one(name)["pm2_env"]["created_at"].get<std::uint64_t>();
  const auto pid = one(name)["pid"];

  const Result r = p({"reset", name});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("reset the restart counters of '" + name + "'"));
  EXPECT_EQ(restarts(name), 0u);
  EXPECT_GT(one(name)["pm2_env"]["created_at"].get<std::uint64_t>(), created_before);
  EXPECT_THAT(p({"ls", "-m"}).out, HasSubstr("restarted : 0"));
  EXPECT_EQ(show_cell(p({"show", name}).out, "restarts"), "0");
  EXPECT_EQ(unit_property(unit, "NRestarts"), "0");  // systemd's own count, zeroed
  EXPECT_EQ(status(name), "online");
  EXPECT_EQ(one(name)["pid"], pid);  // the app was not restarted

  crash(name, 1);
  EXPECT_THAT(p({"ls", "-m"}).out, HasSubstr("restarted : 1"));
  ASSERT_EQ(p({"restart", name}).exit_code, 0);
  EXPECT_EQ(restarts(name), 2u);
}

TEST_F(OpsVerbsTest, ResetKeepsAnErroredAppErroredWithNoRestarts) {
  const std::string name = start_app("rsterr", "crash.js", {"--max-restarts", "3"});
  ASSERT_TRUE(eventually([&] { return status(name) == "errored"; })) << one(name).dump();
  ASSERT_GT(restarts(name), 0u);
  const std::string unit = one(name)["pm2_env"]["unit"].get<std::string>();
  EXPECT_EQ(p({"reset", "all"}).exit_code, 0);
  EXPECT_EQ(restarts(name), 0u);
  EXPECT_EQ(status(name), "errored");
  EXPECT_EQ(unit_property(unit, "ActiveState"), "failed");
  EXPECT_THAT(p({"ls", "-m"}).out, HasSubstr("restarted : 0"));
}

TEST_F(OpsVerbsTest, ResetRefusesAnUnknownTargetWithOneLine) {
  start_app("rstbad", "signal_log.js");
  expect_one_error_line(p({"reset", "nosuchapp"}), 1, "nosuchapp");
  expect_one_error_line(p({"reset"}), 2, "reset");
}

// --- pid and id ---------------------------------------------------------------------------

TEST_F(OpsVerbsTest, PidPrintsOnePidALineAndZeroForAStoppedApp) {
  const std::string a = start_app("pida", "signal_log.js");
  ASSERT_EQ(p({"start", app_path("signal_log.js"), "--name", a, "-f"}).exit_code, 0);
  const std::string b = start_app("pidb", "signal_log.js");
  ASSERT_EQ(p({"stop", b}).exit_code, 0);
  std::string expected_a;
  for (const auto& i : instances(a)) expected_a += std::to_string(i["pid"].get<int>()) + "\n";
  Result r = p({"pid", a});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected_a);
  EXPECT_THAT(r.out, Not(StartsWith("0")));
  EXPECT_EQ(p({"pid", b}).out, "0\n");
  r = p({"pid"});  // every app, in id order
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected_a + "0\n");
  expect_one_error_line(p({"pid", "nosuchapp"}), 1, "no app named 'nosuchapp'");
}

TEST_F(OpsVerbsTest, IdPrintsTheIdsAsAJavaScriptArray) {
  const std::string a = start_app("ida", "signal_log.js");
  ASSERT_EQ(p({"start", app_path("signal_log.js"), "--name", a, "-f"}).exit_code, 0);
  const std::string b = start_app("idb", "signal_log.js");
  EXPECT_EQ(p({"id", a}).out, "[ 0, 1 ]\n");
  EXPECT_EQ(p({"id", b}).out, "[ 2 ]\n");
  expect_one_error_line(p({"id", "nosuchapp"}), 1, "no app named 'nosuchapp'");
  expect_one_error_line(p({"id"}), 2, "'pmctl id' needs its name");
}

// --- ping and report ----------------------------------------------------------------------

TEST_F(OpsVerbsTest, PingAnswersWithTheManagersVersion) {
  const std::string version = manager_version();
  ASSERT_FALSE(version.empty());
  const Result r = p({"ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{ msg: 'pong', manager: 'system', systemd: '" + version + "' }\n");
}

// pmctl --version (and PM2's -v): pmctl's version, then the manager's, both from the source.
TEST_F(OpsVerbsTest, VersionNamesPmctlAndTheSystemdItTalksTo) {
  const std::string version = manager_version();
  for (const char* flag : {"--version", "-v"}) {
    const Result r = pmctl({flag});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, std::string("pmctl ") + PMCTL_VERSION + "\nsystemd " +
                         version.substr(0, version.find('.')) + " (" + version +
                         "), the system manager\n");
  }
  // No manager to ask: pmctl's version still, and why the other is missing; exit 0.
  const Result lone = pmctl({"--user", "--version"},
                            {"XDG_RUNTIME_DIR=" + (dir_ / "no-runtime").string(),
                             "DBUS_SESSION_BUS_ADDRESS=unix:path=" + (dir_ / "no-bus").string()});
  EXPECT_EQ(lone.exit_code, 0) << lone.err;
  EXPECT_THAT(lone.out, StartsWith(std::string("pmctl ") + PMCTL_VERSION +
                                   "\nsystemd: the user "
                                   "manager did not answer"));
}

// pmctl help <command> is <command> --help, word for word; unknown commands are refused.
TEST_F(OpsVerbsTest, HelpCommandIsTheCommandsHelp) {
  for (const std::vector<std::string>& words :
       {std::vector<std::string>{"start"}, {"metrics", "enable"}, {"logs"}}) {
    std::vector<std::string> help{"help"}, flag = words;
    help.insert(help.end(), words.begin(), words.end());
    flag.push_back("--help");
    const Result a = pmctl(help), b = pmctl(flag);
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out) << words[0];
    EXPECT_THAT(a.out, HasSubstr("Usage: pmctl " + words[0]));
  }
  EXPECT_EQ(pmctl({"help"}).out, pmctl({"--help"}).out);
  const Result bad = pmctl({"help", "frobnicate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("unknown command 'frobnicate'"));
}

TEST_F(OpsVerbsTest, PingFailsWithOneLineWhenTheManagerCannotBeReached) {
  const Result r = pmctl({"--user", "ping"},
                         {"PMCTL_STATE_DIR=" + (dir_ / "state").string(),
                          "XDG_RUNTIME_DIR=" + (dir_ / "no-runtime").string(),
                          "DBUS_SESSION_BUS_ADDRESS=unix:path=" + (dir_ / "no-bus").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, StartsWith("pmctl: error: "));
  EXPECT_EQ(count_of(r.err, "\n"), 1u) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(OpsVerbsTest, ReportNamesVersionsManagerPathsAppsAndTheFailingAppsLastLines) {
  const std::string good = start_app("repok", "signal_log.js");
  const std::string bad = start_app("repbad", "crash.js", {"--max-restarts", "2"});
  ASSERT_TRUE(eventually([&] { return status(bad) == "errored"; }));
  const std::string bad_unit = one(bad)["pm2_env"]["unit"].get<std::string>();
  const Result r = p({"report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& out = r.out;
  EXPECT_THAT(out, HasSubstr("pmctl version        : "));
  EXPECT_THAT(out, HasSubstr("systemd version      : " + manager_version()));
  EXPECT_THAT(out, HasSubstr("manager              : system (PID 1)"));
  EXPECT_THAT(out, HasSubstr("registry dir         : " + (dir_ / "state").string()));
  EXPECT_THAT(out, HasSubstr("runtime dir          : "));
  EXPECT_THAT(out, HasSubstr(bad_unit + " failed ("));
  EXPECT_THAT(out, HasSubstr("lines of '" + bad + "'"));
  EXPECT_THAT(out, HasSubstr("crash: start"));
  EXPECT_THAT(out, Not(HasSubstr("lines of '" + good + "'")));
  // The apps, one jlist-like JSON object a line.
  std::size_t apps = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("{\"pm_id\"")) continue;
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j["name"] == good || j["name"] == bad) << line;
    EXPECT_EQ(j["status"], j["name"] == bad ? "errored" : "online");
    ++apps;
  }
  EXPECT_EQ(apps, 2u);
}

// --- describe in every state --------------------------------------------------------------

class DescribeTest : public OpsVerbsTest {
 protected:
  std::string shown_status(const std::string& target) {
    const Result r = p({"show", target});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return show_cell(r.out, "status");
  }
};

TEST_F(DescribeTest, OnlineAndStopped) {
  const std::string name = start_app("dsc", "signal_log.js");
  EXPECT_EQ(shown_status(name), "online");
  ASSERT_EQ(p({"stop", name}).exit_code, 0);
  EXPECT_EQ(shown_status(name), "stopped");
}

TEST_F(DescribeTest, ErroredAfterTheStartLimit) {
  const std::string name = start_app("dscerr", "crash.js", {"--max-restarts", "2"});
  ASSERT_TRUE(eventually([&] { return status(name) == "errored"; }));
  const std::string show = p({"show", name}).out;
  EXPECT_EQ(show_cell(show, "status"), "errored");
  EXPECT_EQ(show_cell(show, "restarts"), "1");  // PM2: max_restarts - 1
}

TEST_F(DescribeTest, WaitingRestartDuringTheRestartDelay) {
  const std::string name = start_app("dscwait", "crash.js", {"--restart-delay", "60000"});
  ASSERT_TRUE(eventually([&] { return status(name) == "waiting restart"; }));
  EXPECT_EQ(shown_status(name), "waiting restart");
}

TEST_F(DescribeTest, LaunchingUntilTheAppIsReady) {
  const std::string name = unique_name("dscl");
  // --wait-ready: the start job waits for READY=1, which signal_log.js never sends.
  const std::string cmd = "PMCTL_STATE_DIR=" + (dir_ / "state").string() +
                          " " PMCTL_BINARY " start " + app_path("signal_log.js") + " --name " +
                          name + " --wait-ready --listen-timeout 8000 >/dev/null 2>&1 &";
  ASSERT_EQ(sh(cmd).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return status(name) == "launching"; })) << one(name).dump();
  EXPECT_EQ(shown_status(name), "launching");
}

TEST_F(DescribeTest, IncompleteWhenACommandWasKilledHalfWay) {
  const std::string name = start_app("dscinc", "signal_log.js");
  edit_record(name, [](nlohmann::json& a) { a["pending"] = "reload"; });
  EXPECT_EQ(shown_status(name), "incomplete");
}

TEST_F(DescribeTest, StoppedByAReboot) {
  const std::string name = start_app("dscboot", "signal_log.js");
  const std::string unit = one(name)["pm2_env"]["unit"].get<std::string>();
  // What a reboot leaves: the unit gone, the record still naming the boot that started it.
  ASSERT_EQ(sh("systemctl stop '" + unit + "'").exit_code, 0);
  edit_record(name, [](nlohmann::json& a) { a["boot_id"] = "an-earlier-boot"; });
  const std::string show = p({"show", name}).out;
  EXPECT_EQ(show_cell(show, "status"), "stopped");
  EXPECT_THAT(show_cell(show, "after reboot"), HasSubstr("did not come back after the reboot"));
  EXPECT_THAT(show_cell(show, "after reboot"), HasSubstr("start"));
}

}  // namespace
}  // namespace pmctl::test
