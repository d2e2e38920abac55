// PM2's boot story across real reboots: save, startup, unstartup, resurrect, cleardump, kill.
// Unlike the integration tests this binary runs on the HOST (as root) and drives the sandbox of
// $PMCTL_SANDBOX from outside: commands run inside through `tests/sandbox.sh exec`, and a reboot
// is `tests/sandbox.sh reboot` (the overlay's upper dir, the journal and lingering survive; /run
// and /tmp do not). The repository is bind-mounted at the same path inside, so the built pmctl
// and the test apps have the same absolute paths there. Ports: 17180-17189.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <string>
#include <tuple>
#include <vector>

#include "harness.hpp"

namespace pmctl::reboot_test {
namespace {

using nlohmann::json;
using test::Result;

const std::string kSandboxScript = std::string(PMCTL_SOURCE_ROOT) + "/tests/sandbox.sh";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string app_path(const std::string& file) {
  return quote(std::string(PMCTL_TEST_APPS) + "/" + file);
}

/// `cmd` under /bin/sh inside the sandbox, as root.
Result in_sandbox(const std::string& cmd) {
  return test::run({kSandboxScript, "exec", "/bin/sh", "-c", cmd});
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// The built pmctl inside the sandbox; `args` is a shell fragment (app paths come quoted from
/// app_path), `prefix` goes before it (`env K=V `, or a user's setpriv line).
Result pmctl(const std::string& args, const std::string& prefix = "") {
  return in_sandbox(prefix + quote(PMCTL_BINARY) + " " + args);
}

#define ASSERT_RUNS(expr)                                                                    \
  do {                                                                                       \
    const ::pmctl::test::Result r_ = (expr);                                                 \
    ASSERT_EQ(r_.exit_code, 0) << #expr << "\nstdout: " << r_.out << "\nstderr: " << r_.err; \
  } while (0)

/// One jlist element: name, pm_id, namespace, status. Sorted, a whole list compares in one go.
using Row = std::tuple<std::string, int, std::string, std::string>;

json jlist(const std::string& prefix = "") {
  const Result r = pmctl("jlist", prefix);
  if (r.exit_code != 0) return json::array();
  json list = json::parse(r.out, nullptr, false);
  return list.is_array() ? list : json::array();
}

std::vector<Row> rows(const std::string& prefix = "") {
  std::vector<Row> out;
  for (const auto& a : jlist(prefix))
    out.emplace_back(a.value("name", ""), a.value("pm_id", -1), a["pm2_env"].value("namespace", ""),
                     a["pm2_env"].value("status", ""));
  std::sort(out.begin(), out.end());
  return out;
}

/// The rows of `list` for app `name`.
std::vector<Row> of(const std::vector<Row>& list, const std::string& name) {
  std::vector<Row> out;
  for (const auto& r : list)
    if (std::get<0>(r) == name) out.push_back(r);
  return out;
}

json row_json(const std::string& name, const std::string& prefix = "") {
  for (const auto& a : jlist(prefix))
    if (a.value("name", "") == name) return a;
  return nullptr;
}

/// The persistent unit of instance `id` of `name`, as `pmctl save` writes it.
std::string saved_unit(const std::string& name, int id) {
  return "pmctl-" + name + "-" + std::to_string(id) + "-s.service";
}

/// A GET on 127.0.0.1:port from inside the sandbox; the answer, or "" when it failed.
std::string http_get(int port) {
  const Result r =
      in_sandbox("python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:" +
                 std::to_string(port) + "/\", timeout=3).read().decode(), end=\"\")' 2>/dev/null");
  return r.exit_code == 0 ? r.out : "";
}

bool answers(int port) {
  return test::eventually([&] { return http_get(port).starts_with("instance="); },
                          std::chrono::seconds(20));
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

/// Every path below `dirs` with its type and symlink target, sorted.
std::string listing(const std::string& dirs) {
  return in_sandbox("find " + dirs + " -printf '%p %y %l\\n' 2>/dev/null | sort").out;
}

/// A user of the sandbox, and the command prefix that runs as that user, in a clean environment.
struct User {
  std::string name;
  std::string uid;
  std::string gid;
  std::string as() const {
    return "setpriv --reuid=" + uid + " --regid=" + gid +
           " --init-groups env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/" + name +
           " USER=" + name + " LOGNAME=" + name + " XDG_RUNTIME_DIR=/run/user/" + uid + " ";
  }
};

class RebootTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* state = std::getenv("PMCTL_SANDBOX");
    if (state == nullptr || *state == '\0') {
      refusal_ =
          "reboot-tests drive a sandbox from the host: set PMCTL_SANDBOX to its state directory "
          "(one of your own, e.g. PMCTL_SANDBOX=/var/tmp/pmctl-reboot), run as root; "
          "scripts/test.sh does it";
      return;
    }
    const Result r = test::run({kSandboxScript, "up"});
    if (r.exit_code != 0) refusal_ = "tests/sandbox.sh up failed: " + r.out + r.err;
  }

  void SetUp() override {
    if (!refusal_.empty()) GTEST_FAIL() << refusal_;
    // Directories that SaveIsTransactional put where save writes files must not stay.
    in_sandbox(
        "find /etc/systemd/system -maxdepth 1 -type d -name 'pmctl-*-s.service' -exec rm -rf {} +; "
        "find /var/lib/pmctl/saved/env -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} + "
        "2>/dev/null");
    clean();
  }

  /// Every test starts with no app, an empty dump and nothing enabled at boot (failures ignored:
  /// there may be nothing to undo).
  static void clean(const std::string& prefix = "") {
    for (const char* verb : {"kill", "cleardump", "unstartup"}) pmctl(verb, prefix);
  }

  static void reboot() {
    const Result r = test::run({kSandboxScript, "reboot"});
    ASSERT_EQ(r.exit_code, 0) << "tests/sandbox.sh reboot: " << r.out << r.err;
  }

  static inline std::string refusal_;
};

// The commands `pmctl show` prints as stable handles follow the app onto its saved units after a
// boot, and the app's journal spans the boot (docs/usage.md, "Stable handles").
TEST_F(RebootTest, StableHandlesAfterABoot) {
  // A greeting of this run only: the sandbox's journal may hold an earlier run's.
  const std::string greeting = "greeting=st" + std::to_string(getpid());
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbstable -i 2",
                    "env GREETING=st" + std::to_string(getpid()) + " "));
  const std::string show = pmctl("show rbstable").out;
  const std::string app = test::show_cell(show, "app, stable");
  const std::string logs = test::show_cell(show, "app logs, stable");
  const std::string instance = test::show_cell(show, "instance, stable");
  ASSERT_EQ(app, "systemctl status|stop|restart 'pmctl-rbstable.slice'") << show;
  ASSERT_TRUE(
      test::eventually([&] { return count(in_sandbox(logs + " -o cat").out, greeting) == 2; }));
  ASSERT_RUNS(pmctl("save"));
  ASSERT_RUNS(pmctl("startup"));
  reboot();
  ASSERT_TRUE(test::eventually(
      [&] {
        const auto r = of(rows(), "rbstable");
        return r.size() == 2 && std::get<3>(r[0]) == "online" && std::get<3>(r[1]) == "online";
      },
      std::chrono::seconds(20)));
  const Result status = in_sandbox("systemctl status 'pmctl-rbstable.slice' --no-pager");
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_THAT(status.out, ::testing::HasSubstr("-s.service")) << status.out;  // the saved units
  EXPECT_TRUE(test::eventually([&] {
    return count(in_sandbox(logs + " -o cat").out, greeting) == 4;
  })) << in_sandbox(logs + " -o cat").out;  // two before the boot, two after
  const Result one = in_sandbox(instance + " --no-pager");
  EXPECT_EQ(one.exit_code, 0) << one.out;
  EXPECT_THAT(one.out, ::testing::HasSubstr("-s.service")) << one.out;
  ASSERT_RUNS(pmctl("unstartup"));
  ASSERT_RUNS(pmctl("cleardump"));
}

TEST_F(RebootTest, SystemAppsComeBackAfterAReboot) {
  // pmctl passes the caller's environment to the app, as PM2 does.
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbfork",
                    "env RB_SECRET=s3cret GREETING=hello "));
  ASSERT_RUNS(pmctl("start " + app_path("http_instance.js") +
                    " --name rbweb -i 2 --port 17180 --namespace rbns"));
  ASSERT_RUNS(pmctl("start " + app_path("server.js") + " --name rbidle"));
  ASSERT_RUNS(pmctl("stop rbidle"));
  ASSERT_TRUE(answers(17180));
  std::size_t greetings = 0;
  ASSERT_TRUE(test::eventually([&] {
    greetings = count(pmctl("logs rbfork --lines 200 --nostream").out, "greeting=hello");
    return greetings > 0;
  }));

  const auto before = rows();
  const std::vector<std::tuple<std::string, std::string, std::string>> expected{
      {"rbfork", "default", "online"},
      {"rbidle", "default", "stopped"},
      {"rbweb", "rbns", "online"},
      {"rbweb", "rbns", "online"}};
  std::vector<std::tuple<std::string, std::string, std::string>> shape;
  for (const auto& [name, id, ns, status] : before) shape.emplace_back(name, ns, status);
  ASSERT_EQ(shape, expected);
  const int fork_id = std::get<1>(of(before, "rbfork").at(0));
  const int idle_id = std::get<1>(of(before, "rbidle").at(0));
  std::vector<std::string> running{saved_unit("rbfork", fork_id), "pmctl-rbweb-lb-s.socket",
                                   "pmctl-rbweb-lb-s.service"};
  for (const auto& r : of(before, "rbweb")) running.push_back(saved_unit("rbweb", std::get<1>(r)));

  ASSERT_RUNS(pmctl("save"));
  ASSERT_RUNS(pmctl("startup"));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-enabled pmctl.target").out), "enabled");

  // The environment is in the app's env file only: no unit file, no unit property carries it.
  const Result grep = in_sandbox("grep -rl s3cret /etc/systemd/system");
  EXPECT_EQ(grep.exit_code, 1) << grep.out << grep.err;
  const std::string env_file = "/var/lib/pmctl/saved/env/" + std::to_string(fork_id) + ".env";
  EXPECT_EQ(trimmed(in_sandbox("stat -c %a " + env_file).out), "600");
  EXPECT_EQ(in_sandbox("grep -q s3cret " + env_file).exit_code, 0) << env_file;
  const std::string fork_unit = saved_unit("rbfork", fork_id);
  EXPECT_EQ(trimmed(in_sandbox("systemctl show -p LoadState --value " + fork_unit).out), "loaded");
  const Result env_prop = in_sandbox("systemctl show -p Environment --value " + fork_unit);
  EXPECT_THAT(env_prop.out, ::testing::Not(::testing::HasSubstr("s3cret"))) << env_prop.out;

  reboot();

  // Before any pmctl command of this boot: systemd alone started the saved units.
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active pmctl.target").out), "active");
  std::string units;
  for (const auto& u : running) units += " " + u;
  EXPECT_TRUE(
      test::eventually([&] { return in_sandbox("systemctl is-active" + units).exit_code == 0; },
                       std::chrono::seconds(20)))
      << in_sandbox("systemctl is-active" + units).out;
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + saved_unit("rbidle", idle_id)).out),
            "inactive");
  EXPECT_TRUE(answers(17180)) << "the cluster app's public port does not answer after the reboot";

  EXPECT_EQ(rows(), before);
  const json fork = row_json("rbfork");
  ASSERT_FALSE(fork.is_null());
  const int pid = fork.value("pid", 0);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(in_sandbox("tr '\\0' '\\n' </proc/" + std::to_string(pid) +
                       "/environ | grep -qx RB_SECRET=s3cret")
                .exit_code,
            0)
      << "the app lost its environment across the reboot";
  // The greeting of the first boot, and one more from this boot's start.
  EXPECT_TRUE(test::eventually([&] {
    return count(pmctl("logs rbfork --lines 200 --nostream").out, "greeting=hello") ==
           greetings + 1;
  })) << pmctl("logs rbfork --lines 200 --nostream").out;

  // --lines counts per instance, over both its units (as PM2 counts per log file).
  EXPECT_EQ(count(pmctl("logs rbfork --lines 1 --nostream").out, "greeting=hello"), 1u);

  ASSERT_RUNS(pmctl("restart rbfork"));
  EXPECT_TRUE(test::eventually([&] {
    const json a = row_json("rbfork");
    return !a.is_null() && a["pm2_env"].value("status", "") == "online" && a.value("pid", 0) != pid;
  }));
}

// Item 6 of the issue: after the boot the verbs act on the saved units as they did on the
// transient ones. A name with '-' (escaped \x2d in unit names, and so in the standby flag's
// path) and shared mode's socket units come along.
TEST_F(RebootTest, AfterTheBootTheVerbsActOnTheSavedUnits) {
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rb-dash", "env GREETING=first "));
  ASSERT_RUNS(pmctl("start " + app_path("http_keepalive.js") +
                    " --name rbshared -i 2 --port 17183 --lb shared"));
  ASSERT_TRUE(answers(17183));
  const int dash_id = std::get<1>(of(rows(), "rb-dash").at(0));
  const std::string dash_saved = "'pmctl-rb\\x2ddash-" + std::to_string(dash_id) + "-s.service'";
  const std::string dash_transient = "'pmctl-rb\\x2ddash-" + std::to_string(dash_id) + ".service'";
  ASSERT_RUNS(pmctl("save"));
  // Saved, not started: starting pmctl.target by hand starts no second copy.
  ASSERT_RUNS(in_sandbox("systemctl start pmctl.target"));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_saved).out), "inactive");
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_transient).out), "active");
  ASSERT_RUNS(pmctl("startup"));
  const auto before = rows();

  reboot();

  EXPECT_TRUE(answers(17183)) << "shared mode's saved socket does not answer after the reboot";
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active pmctl-rbshared-lb-s.socket").out), "active");
  EXPECT_EQ(rows(), before);
  // A reload of the shared app keeps serving and keeps its ids.
  ASSERT_RUNS(pmctl("reload rbshared"));
  EXPECT_TRUE(answers(17183));
  EXPECT_EQ(of(rows(), "rbshared"), of(before, "rbshared"));
  // An unchanged app restarts on its saved unit.
  ASSERT_RUNS(pmctl("restart rb-dash"));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_saved).out), "active");
  // Stopped on its saved unit, it stays stopped when pmctl.target is started again; started, it
  // runs on its saved unit again.
  ASSERT_RUNS(pmctl("stop rb-dash"));
  ASSERT_RUNS(in_sandbox("systemctl start pmctl.target"));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_saved).out), "inactive");
  EXPECT_EQ(std::get<3>(of(rows(), "rb-dash").at(0)), "stopped");
  ASSERT_RUNS(pmctl("start rb-dash"));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_saved).out), "active");
  // A changed one moves to a transient unit; its saved unit stands by.
  // Unique to this run: the sandbox's journal keeps earlier runs' lines.
  const std::string second = "second" + std::to_string(std::time(nullptr));
  ASSERT_RUNS(pmctl("restart rb-dash --update-env", "env GREETING=" + second + " "));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_transient).out), "active");
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_saved).out), "inactive");
  EXPECT_TRUE(test::eventually([&] {
    return count(pmctl("logs rb-dash --lines 50 --nostream").out, "greeting=" + second) == 1;
  }));
  // Deleted, it does not come back when pmctl.target is started again.
  ASSERT_RUNS(pmctl("delete rb-dash"));
  ASSERT_RUNS(in_sandbox("systemctl start pmctl.target"));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + dash_saved).out), "inactive");
  EXPECT_EQ(in_sandbox("systemctl is-active " + dash_transient).out, "inactive\n")
      << "the deleted app runs again";
  EXPECT_TRUE(of(rows(), "rb-dash").empty());
}

// Issue 12: a reboot without save leaves the apps registered and stopped, since nothing started
// them; ls says which ones the reboot took (not the one stopped on purpose) and what brings them
// back, and says no more once they run again.
// Issue 14, items 3 and 7: `pmctl save` writes an app's cron_restart timer as a unit file
// (…-cron-s.timer and its service) that pmctl.target starts at boot, and after the boot it fires:
// its service restarts the app through pmctl, as the transient timer did before.
TEST_F(RebootTest, ASavedCronRestartTimerComesBackAndFires) {
  ASSERT_RUNS(
      pmctl("start " + app_path("server.js") + " --name rbcron --cron-restart '*/3 * * * * *'"));
  ASSERT_RUNS(pmctl("save"));
  // Before the boot the transient timer restarts the app; the saved one stands by.
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active pmctl-rbcron-cron.timer").out), "active");
  EXPECT_NE(trimmed(in_sandbox("systemctl is-active pmctl-rbcron-cron-s.timer").out), "active");
  ASSERT_RUNS(pmctl("startup"));
  reboot();

  // systemd alone started the saved timer; its ticks restart the app (a new pid, ↺ grows).
  EXPECT_TRUE(test::eventually(
      [&] {
        return trimmed(in_sandbox("systemctl is-active pmctl-rbcron-cron-s.timer").out) == "active";
      },
      std::chrono::seconds(20)));
  int pid = 0;
  ASSERT_TRUE(test::eventually(
      [&] {
        const json a = row_json("rbcron");
        pid = a.is_null() ? 0 : a.value("pid", 0);
        return pid > 0;
      },
      std::chrono::seconds(20)));
  EXPECT_TRUE(test::eventually(
      [&] {
        const json a = row_json("rbcron");
        return !a.is_null() && a.value("pid", 0) != pid && a.value("pid", 0) > 0 &&
               a["pm2_env"].value("restart_time", 0) >= 1;
      },
      std::chrono::seconds(20)))
      << in_sandbox("journalctl -b --no-pager -n 30 -u pmctl-rbcron-cron-s.service").out;
  // While a tick's restart runs, systemd has no next elapse yet: show says N/A then.
  std::string show;
  EXPECT_TRUE(test::eventually([&] {
    show = pmctl("show rbcron").out;
    return test::show_cell(show, "next cron restart") != "N/A";
  })) << show;
  EXPECT_THAT(test::show_cell(show, "cron timer"),
              ::testing::HasSubstr("pmctl-rbcron-cron-s.timer: active"))
      << show;
  // No transient twin beside it: the saved timer is the app's.
  EXPECT_NE(trimmed(in_sandbox("systemctl is-active pmctl-rbcron-cron.timer").out), "active");

  ASSERT_RUNS(pmctl("delete rbcron"));
  EXPECT_NE(trimmed(in_sandbox("systemctl is-active pmctl-rbcron-cron-s.timer").out), "active");
  ASSERT_RUNS(pmctl("unstartup"));
  ASSERT_RUNS(pmctl("cleardump"));
}

TEST_F(RebootTest, LsSaysWhichAppsTheRebootTookAndHowToStartThem) {
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rblost"));
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbkept"));
  ASSERT_RUNS(pmctl("stop rbkept"));
  const std::string lost = std::to_string(std::get<1>(of(rows(), "rblost").at(0)));
  EXPECT_EQ(count(pmctl("ls").out, "did not come back"), 0u);

  reboot();

  const Result ls = pmctl("ls");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, testing::HasSubstr("1 app (id " + lost +
                                         ") did not come back after the reboot: it was not saved. "
                                         "Start it with 'pmctl start " +
                                         lost + "'"));
  EXPECT_EQ(count(ls.out, "did not come back"), 1u) << ls.out;
  ASSERT_RUNS(pmctl("start " + lost));
  EXPECT_EQ(std::get<3>(of(rows(), "rblost").at(0)), "online");
  EXPECT_EQ(std::get<3>(of(rows(), "rbkept").at(0)), "stopped");
  EXPECT_EQ(count(pmctl("ls").out, "did not come back"), 0u);
}

TEST_F(RebootTest, ResurrectTwiceAndBackupFallback) {
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbone"));
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbtwo --namespace rbns"));
  ASSERT_RUNS(pmctl("stop rbtwo"));
  ASSERT_RUNS(pmctl("save"));
  const auto two = rows();
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbthree"));
  ASSERT_RUNS(pmctl("save"));  // dump.json.bak: the first save's two apps
  const auto three = rows();
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(std::get<3>(of(three, "rbtwo").at(0)), "stopped");

  ASSERT_RUNS(pmctl("delete all"));
  ASSERT_TRUE(rows().empty());
  ASSERT_RUNS(pmctl("resurrect"));
  EXPECT_TRUE(test::eventually([&] { return rows() == three; })) << testing::PrintToString(rows());
  ASSERT_RUNS(pmctl("resurrect"));  // every name runs already: no duplicate
  EXPECT_EQ(rows(), three);

  ASSERT_RUNS(pmctl("delete all"));
  ASSERT_RUNS(in_sandbox("printf '[{' > /var/lib/pmctl/dump.json"));
  const Result r = pmctl("resurrect");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(test::eventually([&] { return rows() == two; }))
      << testing::PrintToString(rows()) << r.out << r.err;
  EXPECT_NE(in_sandbox("test -e /var/lib/pmctl/dump.json").exit_code, 0)
      << "the unparsable dump is still there";
}

TEST_F(RebootTest, UnstartupLeavesNoFileBehind) {
  const std::string dirs = "/etc/systemd/system /var/lib/pmctl";
  // Nothing saved (cleardump's empty save): startup enables the empty pmctl.target, unstartup
  // undoes it.
  std::string before = listing(dirs);
  ASSERT_RUNS(pmctl("startup"));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-enabled pmctl.target").out), "enabled");
  ASSERT_RUNS(pmctl("unstartup"));
  EXPECT_EQ(listing(dirs), before);

  // An app saved: the saved units and the dump stay, only the enablement goes.
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbkeep"));
  ASSERT_RUNS(pmctl("save"));
  before = listing(dirs);
  ASSERT_RUNS(pmctl("startup"));
  EXPECT_NE(listing(dirs), before);
  ASSERT_RUNS(pmctl("unstartup"));
  EXPECT_EQ(listing(dirs), before);

  reboot();
  const Result units = in_sandbox(
      "systemctl list-units --no-legend --plain --state=active,activating,reloading 'pmctl*'");
  EXPECT_EQ(units.out, "") << "pmctl units run after unstartup and a reboot";
}

// max_memory_restart's guard is saved with its app: after a boot, with no pmctl command run yet,
// the saved guard restarts the app past its limit (docs/usage.md, "Memory limits").
TEST_F(RebootTest, TheMemoryGuardComesBackAfterAReboot) {
  // HOG_ONCE is under /tmp, which a boot empties: the app holds 120 MB in each boot's first run.
  ASSERT_RUNS(pmctl("start " + app_path("memory_hog.js") + " --name rbhog --max-memory-restart 50M",
                    "env HOG_MB=120 HOG_ONCE=/tmp/rbhog-once "));
  const auto said = [](const std::string& what) {
    return count(pmctl("logs rbhog --lines 200 --nostream --raw").out, what);
  };
  ASSERT_TRUE(
      test::eventually([&] { return said("hog: not holding") == 1; }, std::chrono::seconds(20)));
  ASSERT_RUNS(pmctl("save"));
  ASSERT_RUNS(pmctl("startup"));
  reboot();
  const std::string guard = "pmctl-rbhog-mem-s.service";
  EXPECT_TRUE(test::eventually(
      [&] {
        return count(in_sandbox("journalctl -b -u " + guard + " -o cat").out,
                     "over max_memory_restart 50.0mb") == 1;
      },
      std::chrono::seconds(30)))
      << in_sandbox("systemctl status " + guard + " --no-pager").out;
  EXPECT_TRUE(
      test::eventually([&] { return said("hog: not holding") == 2; }, std::chrono::seconds(20)));
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + guard).out), "active");
  // pmctl stop stops it (and puts it on standby); delete leaves no guard loaded.
  ASSERT_RUNS(pmctl("stop rbhog"));
  EXPECT_NE(trimmed(in_sandbox("systemctl is-active " + guard).out), "active");
  ASSERT_RUNS(pmctl("delete rbhog"));
  ASSERT_RUNS(pmctl("unstartup"));
  ASSERT_RUNS(pmctl("cleardump"));
}

// The watcher is saved with its app: after the boot it watches again (as the saved unit) and a
// change restarts the app. The watched folder is under /var/lib, which a boot keeps.
TEST_F(RebootTest, TheWatcherComesBackAfterARebootAndActs) {
  const std::string dir = "/var/lib/rbwatch-dir";
  ASSERT_RUNS(in_sandbox("rm -rf " + dir + " && mkdir -p " + dir));
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbwatch --cwd " + dir + " --watch"));
  ASSERT_RUNS(pmctl("save"));
  ASSERT_RUNS(pmctl("startup"));
  reboot();
  const std::string watcher = "pmctl-rbwatch-watch-s.service";
  ASSERT_TRUE(test::eventually(
      [&] {
        return count(in_sandbox("journalctl -b -u " + watcher + " -o cat").out, "watching") == 1;
      },
      std::chrono::seconds(30)))
      << in_sandbox("systemctl status " + watcher + " --no-pager").out;
  const std::string pid = trimmed(pmctl("pid rbwatch").out);
  ASSERT_NE(pid, "0");
  ASSERT_RUNS(in_sandbox("echo x > " + dir + "/index.js"));
  EXPECT_TRUE(test::eventually(
      [&] {
        const std::string now = trimmed(pmctl("pid rbwatch").out);
        return !now.empty() && now != "0" && now != pid;
      },
      std::chrono::seconds(20)))
      << in_sandbox("journalctl -b -u " + watcher + " -o cat").out;
  EXPECT_EQ(trimmed(in_sandbox("systemctl is-active " + watcher).out), "active");
  // pmctl stop ends watching; delete leaves no watcher loaded.
  ASSERT_RUNS(pmctl("stop rbwatch"));
  EXPECT_NE(trimmed(in_sandbox("systemctl is-active " + watcher).out), "active");
  ASSERT_RUNS(pmctl("delete rbwatch"));
  ASSERT_RUNS(pmctl("unstartup"));
  ASSERT_RUNS(pmctl("cleardump"));
  ASSERT_RUNS(in_sandbox("rm -rf " + dir));
}

TEST_F(RebootTest, SaveIsTransactional) {
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbsavea"));
  ASSERT_RUNS(pmctl("save"));
  const int a_id = std::get<1>(of(rows(), "rbsavea").at(0));
  // What the first save left: every path, and the content of every regular file.
  const std::string paths =
      "/etc/systemd/system /var/lib/pmctl/saved /var/lib/pmctl/dump.json "
      "/var/lib/pmctl/dump.json.bak";
  const auto saved_state = [&] {
    return listing(paths) +
           in_sandbox("find " + paths + " -type f -exec sha256sum {} + 2>/dev/null | sort -k2").out;
  };
  const std::string after_first = saved_state();

  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbsaveb"));
  const int b_id = std::get<1>(of(rows(), "rbsaveb").at(0));
  // A non-empty directory where one of the new files goes: neither a rename nor a remove gets past
  // it. B's unit file fails among the unit files; B's env file fails after all of them
  // (pmctl.target, which now wants B, included), so that everything written before has to be put
  // back.
  const std::string blocker = "/etc/systemd/system/" + saved_unit("rbsaveb", b_id);
  for (const std::string& path :
       {blocker, "/var/lib/pmctl/saved/env/" + std::to_string(b_id) + ".env"}) {
    ASSERT_RUNS(in_sandbox("mkdir " + path + " && touch " + path + "/keep"));
    const Result failed = pmctl("save");
    EXPECT_NE(failed.exit_code, 0) << path << "\n" << failed.out;
    EXPECT_EQ(count(failed.err, "\n"), 1u) << path << "\n" << failed.err;
    EXPECT_TRUE(failed.err.starts_with("pmctl: error:")) << path << "\n" << failed.err;
    ASSERT_RUNS(in_sandbox("rm -rf " + path));
    EXPECT_EQ(saved_state(), after_first)
        << "a save that failed on " << path << " changed the saved state";
  }

  ASSERT_RUNS(pmctl("save"));
  EXPECT_EQ(in_sandbox("test -f " + blocker).exit_code, 0);
  ASSERT_RUNS(pmctl("delete rbsavea"));
  ASSERT_RUNS(pmctl("save"));
  EXPECT_NE(in_sandbox("test -e /etc/systemd/system/" + saved_unit("rbsavea", a_id)).exit_code, 0)
      << "the unit of a deleted app outlived the next save";
  EXPECT_EQ(in_sandbox("test -f " + blocker).exit_code, 0);
}

/// The same story in the user manager of `rbuser`, whom the test creates inside the sandbox.
class UserRebootTest : public RebootTest {
 protected:
  // Debian's polkit lets a user turn on their own lingering (set-self-linger is allow_any), so
  // the refusal a stricter policy gives is made by a rule here.
  static constexpr const char* kDenyRule = "/etc/polkit-1/rules.d/49-pmctl-reboot-test.rules";

  void SetUp() override {
    RebootTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_RUNS(in_sandbox("id -u rbuser >/dev/null 2>&1 || useradd -m rbuser"));
    user_ = {"rbuser", trimmed(in_sandbox("id -u rbuser").out),
             trimmed(in_sandbox("id -g rbuser").out)};
    as_ = user_.as();
    manager_ = "user@" + user_.uid + ".service";
    // No lingering (a failed earlier run may have left it on), no deny rule, a running manager.
    allow_self_linger();
    in_sandbox("loginctl disable-linger rbuser");
    test::eventually([&] {
      return trimmed(in_sandbox("systemctl is-active " + manager_).out) != "deactivating";
    });
    ASSERT_RUNS(in_sandbox("systemctl start " + manager_));
    clean(as_);
  }

  void TearDown() override {
    clean(as_);
    in_sandbox("loginctl disable-linger rbuser");
    allow_self_linger();
  }

  static bool lingers() {
    return in_sandbox("test -e /var/lib/systemd/linger/rbuser").exit_code == 0;
  }
  static bool target_enabled() {
    return in_sandbox("test -L /home/rbuser/.config/systemd/user/default.target.wants/pmctl.target")
               .exit_code == 0;
  }
  /// Reboots; with no login, logind starts the lingering user's manager, which starts
  /// pmctl.target: the user's apps are `before` again, all online.
  void reboot_and_expect_online(const std::vector<Row>& before) {
    reboot();
    EXPECT_TRUE(test::eventually(
        [&] { return trimmed(in_sandbox("systemctl is-active " + manager_).out) == "active"; },
        std::chrono::seconds(20)));
    EXPECT_TRUE(test::eventually([&] { return rows(as_) == before; }, std::chrono::seconds(20)))
        << testing::PrintToString(rows(as_));
    for (const auto& [name, id, ns, status] : rows(as_))
      EXPECT_EQ(status, "online") << name << " " << id;
  }

  static void deny_self_linger() {
    in_sandbox(
        std::string("mkdir -p /etc/polkit-1/rules.d && cat > ") + kDenyRule + " <<'EOF'\n" +
        "polkit.addRule(function (action, subject) {\n"
        "  if (action.id == 'org.freedesktop.login1.set-self-linger' && subject.user == 'rbuser')\n"
        "    return polkit.Result.NO;\n"
        "});\nEOF\nsystemctl try-restart polkit.service");
  }
  static void allow_self_linger() {
    in_sandbox(std::string("test -e ") + kDenyRule + " && rm -f " + kDenyRule +
               " && systemctl try-restart polkit.service");
  }

  User user_;
  std::string as_, manager_;
};

TEST_F(UserRebootTest, UserManagerOfALingeringUser) {
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbufork", as_));
  ASSERT_RUNS(
      pmctl("start " + app_path("http_instance.js") + " --name rbuweb -i 2 --port 17182", as_));
  ASSERT_TRUE(answers(17182));
  const auto before = rows(as_);
  ASSERT_EQ(before.size(), 3u) << testing::PrintToString(before);
  ASSERT_RUNS(pmctl("save", as_));

  // Without lingering the user manager would not start at boot, and the policy does not let the
  // user turn it on: one error line whose hint says what an administrator runs; nothing changed.
  const std::string dirs = "/home/rbuser/.config/systemd /home/rbuser/.local/state/pmctl";
  const std::string files = listing(dirs);
  deny_self_linger();
  const Result refused = pmctl("startup", as_);
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_THAT(refused.err, ::testing::HasSubstr("loginctl enable-linger rbuser")) << refused.err;
  EXPECT_EQ(count(refused.err, "\n"), 1u) << refused.err;
  EXPECT_FALSE(lingers());
  EXPECT_EQ(listing(dirs), files);
  allow_self_linger();

  ASSERT_RUNS(in_sandbox("loginctl enable-linger rbuser"));
  ASSERT_RUNS(pmctl("startup", as_));
  EXPECT_TRUE(target_enabled());

  reboot_and_expect_online(before);
  EXPECT_TRUE(answers(17182)) << "the user's cluster app does not answer after the reboot";

  // Root turned lingering on, not startup: unstartup leaves it.
  ASSERT_RUNS(pmctl("unstartup", as_));
  EXPECT_TRUE(lingers());
}

TEST_F(UserRebootTest, UnstartupTurnsOffTheLingeringStartupTurnedOn) {
  if (in_sandbox("test -x /usr/lib/polkit-1/polkitd").exit_code != 0)
    GTEST_SKIP() << "no polkit: logind lets only root turn lingering on";
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbufork", as_));
  ASSERT_RUNS(pmctl("save", as_));
  ASSERT_FALSE(lingers());
  ASSERT_RUNS(pmctl("startup", as_));  // the policy lets a user turn on their own lingering
  EXPECT_TRUE(lingers());
  ASSERT_RUNS(pmctl("unstartup", as_));
  EXPECT_FALSE(lingers());
}

// PM2's `startup -u USER --hp HOME`, pasted as root: the user's saved apps (a fork app and a pool)
// come back at boot in the user's manager, without a login; `unstartup -u` undoes it.
TEST_F(UserRebootTest, RootsStartupDashUStartsTheUsersSavedAppsAtBoot) {
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbufork", as_));
  ASSERT_RUNS(pmctl("start " + app_path("greet.sh") + " --name rbupool -i 2", as_));
  const auto before = rows(as_);
  ASSERT_EQ(before.size(), 3u) << testing::PrintToString(before);
  ASSERT_RUNS(pmctl("save", as_));
  ASSERT_FALSE(lingers());

  ASSERT_RUNS(pmctl("startup systemd -u rbuser --hp /home/rbuser"));
  EXPECT_TRUE(lingers());
  EXPECT_TRUE(target_enabled());

  reboot_and_expect_online(before);

  ASSERT_RUNS(pmctl("unstartup -u rbuser"));
  EXPECT_FALSE(lingers());  // startup -u turned it on, so unstartup -u turns it off
  EXPECT_FALSE(target_enabled());
}

}  // namespace
}  // namespace pmctl::reboot_test
