// `pmctl -H` and `pmctl deploy` end to end, over real ssh: what a user gets on another machine is
// what they would get on that machine itself. This binary runs on the HOST, as root, and boots two
// sandboxes (tests/sandbox.sh; state in /var/tmp/pmctl-remote-a and -b). In each it installs
// pmctl from this build (`meson install` inside: the writes land in the sandbox's overlay, never
// on the host) and runs sshd as an enabled unit of its own (key auth with keys this test makes,
// 127.0.0.1:17781 and :17782; it comes back after a reboot). The pmctl under test is the build's,
// on the host, which runs no systemd: it is only the ssh client (PMCTL_SSH_COMMAND="ssh -F
// <tmp>/ssh_config", Host aliases pmctl-remote-a and pmctl-remote-b). It proves: the same
// stdout, stderr and exit code as on the host itself, arguments arrive as one word each and run
// nothing; a cluster app started, listed, logged and reloaded; `logs` follows and Ctrl-C leaves
// no process behind on either side; save + startup survive a reboot of the remote; PM2's deploy
// from a local bare git repository (setup, update, curr/prev/list, revert, exec, a failed
// post-deploy rolled back); several hosts at once (merged ls and jlist, one host down); a remote
// without pmctl or with an older one; host specs refused before any ssh runs.
//
// Run just it:   build/tests/remote/remote-tests          (as root; about 75 s)
//                build/tests/remote/remote-tests --gtest_filter='RemoteTest.Multi*'
// It copies the build into the sandboxes under /var/tmp/pmctl-build.lock; while others rebuild
// beside you, hold that lock for the whole run instead (a relink in the middle of a test makes
// its pmctl vanish): flock /var/tmp/pmctl-build.lock env PMCTL_BUILD_LOCK_HELD=1 build/tests/...
// Temp files go to build/remote-tests-tmp.XXXXXX (the sandboxes see the repository, so the deploy's
// bare repository is cloned by path there); both sandboxes are purged at the end.
// Ports: 17781-17790 (sshd 17781, 17782; apps 17783, 17785; 17789 stays closed).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace pmctl::remote_test {
namespace {

using nlohmann::json;
using test::Result;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kSandboxScript = std::string(PMCTL_SOURCE_ROOT) + "/tests/sandbox.sh";
const std::string kApps = PMCTL_TEST_APPS;
// Where the build's pmctl lands inside a sandbox (meson's default prefix).
const std::string kInstalled = "/usr/local/bin/pmctl";
const std::string kSshdUnit = "pmctl-test-sshd.service";
const int kWebPort = 17783;
const int kDeployPort = 17785;
const int kClosedPort = 17789;

struct Box {
  std::string alias;  // its Host in ssh_config, and the label pmctl prints
  std::string state;  // PMCTL_SANDBOX
  int port;           // its sshd
};
const Box kA{"pmctl-remote-a", "/var/tmp/pmctl-remote-a", 17781};
const Box kB{"pmctl-remote-b", "/var/tmp/pmctl-remote-b", 17782};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

void write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
}

std::string describe(const Result& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

/// tests/sandbox.sh with `args`, for sandbox `box`.
Result sandbox(const Box& box, const std::vector<std::string>& args) {
  std::vector<std::string> argv{kSandboxScript};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv, {"PMCTL_SANDBOX=" + box.state});
}

/// A /bin/sh command line inside `box`, as root.
Result inside(const Box& box, const std::string& cmd) {
  return sandbox(box, {"exec", "/bin/sh", "-c", cmd});
}

/// The installed pmctl inside `box`, run there directly (no ssh) with the environment a login
/// gives: what `pmctl -H` must reproduce.
Result on_the_host(const Box& box, const std::vector<std::string>& args) {
  std::vector<std::string> argv{
      "exec",         "env",
      "-i",           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME=/root",   "USER=root",
      "LOGNAME=root", "SHELL=/bin/bash",
      "pmctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return sandbox(box, argv);
}

#define ASSERT_RUNS(expr)                                        \
  do {                                                           \
    const ::pmctl::test::Result r_ = (expr);                     \
    ASSERT_EQ(r_.exit_code, 0) << #expr << "\n" << describe(r_); \
  } while (0)

/// What the whole suite shares: the sandboxes, the keys, ssh_config.
class RemoteEnvironment : public ::testing::Environment {
 public:
  static inline std::string tmp;         // build/remote-tests-tmp.XXXXXX
  static inline std::string ssh_config;  // tmp/ssh_config
  static inline std::string refusal;     // why the suite cannot run, "" when it can
  static inline bool host_had_pmctl = false;
  static inline std::string install_log;

  void SetUp() override {
    unsetenv("PMCTL_HOST");
    unsetenv("PMCTL_SSH_COMMAND");
    if (geteuid() != 0) {
      refusal = "remote-tests boot two sandboxes: run them as root (scripts/test.sh does)";
      return;
    }
    std::string pattern = std::string(PMCTL_BUILD_ROOT) + "/remote-tests-tmp.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      refusal = "mkdtemp " + pattern + ": " + std::strerror(errno);
      return;
    }
    tmp = pattern;
    chmod(tmp.c_str(), 0755);
    ssh_config = tmp + "/ssh_config";
    host_had_pmctl = access(kInstalled.c_str(), F_OK) == 0;

    for (const char* key : {"host_key", "client_key"}) {
      const Result r = test::run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                                  std::string("pmctl-remote-") + key, "-f", tmp + "/" + key});
      if (r.exit_code != 0) {
        refusal = "ssh-keygen: " + describe(r);
        return;
      }
    }
    write_ssh_config();

    // Both boots at once: a boot is mostly waiting.
    std::string errors[2];
    std::thread second([&] { errors[1] = prepare(kB); });
    errors[0] = prepare(kA);
    second.join();
    for (const auto& e : errors) refusal += e;
    if (!refusal.empty()) return;
    for (const Box* box : {&kA, &kB}) {
      if (!wait_for_ssh(*box)) {
        refusal = "ssh to " + box->alias + " does not answer: " +
                  describe(test::run({"ssh", "-F", ssh_config, box->alias, "true"})) +
                  inside(*box, "systemctl status " + kSshdUnit + " --no-pager -l").out;
        return;
      }
    }
  }

  void TearDown() override {
    for (const Box* box : {&kA, &kB}) sandbox(*box, {"purge"});
    if (!tmp.empty()) test::run({"rm", "-rf", tmp});
  }

  static std::string ssh_env() { return "PMCTL_SSH_COMMAND=ssh -F " + ssh_config; }

  static bool wait_for_ssh(const Box& box) {
    return test::eventually(
        [&] {
          return test::run({"ssh", "-F", ssh_config, box.alias, "true"}).exit_code == 0;
        },
        30s);
  }

 private:
  static void write_ssh_config() {
    std::string cfg;
    for (const Box* box : {&kA, &kB})
      cfg += "Host " + box->alias + "\n  HostName 127.0.0.1\n  Port " + std::to_string(box->port) +
             "\n";
    // Nothing listens there: a host that is down, fast.
    cfg += "Host nosuch-host\n  HostName 127.0.0.1\n  Port " + std::to_string(kClosedPort) + "\n";
    // Right only with the user and port of the host spec (-l root, -p 17782) over these.
    cfg += "Host pmctl-remote-elsewhere\n  HostName 127.0.0.1\n  Port " +
           std::to_string(kClosedPort) + "\n  User nobody\n";
    cfg += "Host *\n  User root\n  IdentityFile " + tmp +
           "/client_key\n  IdentitiesOnly yes\n  UserKnownHostsFile " + tmp +
           "/known_hosts\n  StrictHostKeyChecking accept-new\n  LogLevel ERROR\n";
    write_file(ssh_config, cfg);
    // The host key is ours: known beforehand, so no first-connection race on known_hosts.
    const std::string pub = test::read_file(tmp + "/host_key.pub");
    write_file(tmp + "/known_hosts", "[127.0.0.1]:" + std::to_string(kA.port) + " " + pub +
                                         "[127.0.0.1]:" + std::to_string(kB.port) + " " + pub);
  }

  /// Boots `box` afresh, installs pmctl from the build and runs sshd in it; "" or what failed.
  static std::string prepare(const Box& box) {
    sandbox(box, {"purge"});
    Result r = sandbox(box, {"up"});
    if (r.exit_code != 0) return box.alias + ": tests/sandbox.sh up: " + describe(r);
    // Under the build lock, so that nobody relinks pmctl while it is copied, unless the caller
    // holds it for the whole run (PMCTL_BUILD_LOCK_HELD=1; flock would wait for ever).
    std::vector<std::string> install{kSandboxScript, "exec",           "meson",        "install",
                                     "-C",           PMCTL_BUILD_ROOT, "--no-rebuild", "--quiet"};
    const char* held = std::getenv("PMCTL_BUILD_LOCK_HELD");
    if (held == nullptr || std::string(held) != "1")
      install.insert(install.begin(), {"flock", "/var/tmp/pmctl-build.lock"});
    r = test::run(install, {"PMCTL_SANDBOX=" + box.state});
    if (r.exit_code != 0) return box.alias + ": meson install: " + describe(r);
    const std::string unit = tmp + "/" + box.alias + ".service";
    write_file(unit,
               "[Unit]\n"
               "Description=sshd for pmctl's remote tests\n"
               "[Service]\n"
               "ExecStart=/usr/sbin/sshd -D -e -f /dev/null -p " +
                   std::to_string(box.port) +
                   " -o ListenAddress=127.0.0.1"
                   " -h /etc/pmctl-test-sshd/host_key"
                   " -o AuthorizedKeysFile=/etc/pmctl-test-sshd/authorized_keys"
                   " -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no"
                   " -o StrictModes=no -o PermitRootLogin=prohibit-password -o UsePAM=no\n"
                   "RuntimeDirectory=sshd\n"
                   "[Install]\n"
                   "WantedBy=multi-user.target\n");
    r = inside(box,
               "install -d -m 700 /etc/pmctl-test-sshd && "
               "install -m 600 " +
                   tmp +
                   "/host_key /etc/pmctl-test-sshd/host_key && "
                   "install -m 600 " +
                   tmp +
                   "/client_key.pub /etc/pmctl-test-sshd/authorized_keys && "
                   "install -m 644 " +
                   unit + " /etc/systemd/system/" + kSshdUnit +
                   " && "
                   "systemctl daemon-reload && systemctl enable --now --quiet " +
                   kSshdUnit);
    if (r.exit_code != 0) return box.alias + ": sshd: " + describe(r);
    return "";
  }
};

[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new RemoteEnvironment);

/// The build's pmctl on the host with `-H hosts`, over ssh_config.
Result remote(const std::string& hosts, const std::vector<std::string>& args,
              const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv{"-H", hosts};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> all_env{RemoteEnvironment::ssh_env()};
  all_env.insert(all_env.end(), env.begin(), env.end());
  return test::pmctl(argv, all_env);
}

json jlist(const std::string& hosts) {
  const Result r = remote(hosts, {"jlist"});
  if (r.exit_code != 0) return json::array();
  json list = json::parse(r.out, nullptr, false);
  return list.is_array() ? list : json::array();
}

std::vector<json> rows(const std::string& hosts, const std::string& name) {
  std::vector<json> out;
  for (const auto& a : jlist(hosts))
    if (a.value("name", "") == name) out.push_back(a);
  return out;
}

std::set<int> online_pids(const std::string& hosts, const std::string& name) {
  std::set<int> out;
  for (const auto& a : rows(hosts, name))
    if (a["pm2_env"].value("status", "") == "online") out.insert(a.value("pid", 0));
  return out;
}

/// A GET on 127.0.0.1:port from the host (the sandboxes share its network); "" when it failed.
std::string http_get(int port) {
  const Result r = test::run(
      {"curl", "-sf", "--max-time", "3", "http://127.0.0.1:" + std::to_string(port) + "/"});
  return r.exit_code == 0 ? r.out : "";
}

/// The command lines of the processes named pmctl inside `box`, one a line.
std::string pmctl_processes(const Box& box) {
  return inside(box,
                "for p in $(pgrep -x pmctl); do tr '\\0' ' ' </proc/$p/cmdline 2>/dev/null; echo; "
                "done")
      .out;
}

/// A process of the host's pmctl that keeps running: its pid (also its process group) and pipes.
struct Child {
  pid_t pid = -1;
  int out = -1;
  int err = -1;
  std::string out_text;
  std::string err_text;

  Child(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) std::abort();
    pid = fork();
    if (pid == 0) {
      setpgid(0, 0);
      dup2(out_pipe[1], 1);
      dup2(err_pipe[1], 2);
      close(out_pipe[0]), close(err_pipe[0]), close(out_pipe[1]), close(err_pipe[1]);
      if (!freopen("/dev/null", "r", stdin)) _exit(127);
      for (const auto& kv : env) putenv(strdup(kv.c_str()));
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(out_pipe[1]), close(err_pipe[1]);
    out = out_pipe[0];
    err = err_pipe[0];
    fcntl(out, F_SETFL, O_NONBLOCK);
    fcntl(err, F_SETFL, O_NONBLOCK);
  }

  ~Child() {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(-pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    close(out);
    close(err);
  }

  /// Reads what is there for up to `wait`.
  void pump(std::chrono::milliseconds wait) {
    pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(wait.count())) <= 0) return;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      ssize_t n;
      while ((n = read(fds[i].fd, buf, sizeof buf)) > 0)
        (i == 0 ? out_text : err_text).append(buf, static_cast<std::size_t>(n));
    }
  }

  /// Its exit code once it has ended within `timeout`, else -1.
  int wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      pump(20ms);
    }
    return -1;
  }
};

class RemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RemoteEnvironment::refusal.empty()) GTEST_FAIL() << RemoteEnvironment::refusal;
    // Every test starts with no app, no dump and nothing enabled at boot, on both hosts.
    for (const Box* box : {&kA, &kB})
      inside(*box,
             kInstalled + " kill; " + kInstalled + " cleardump; " + kInstalled + " unstartup");
  }

  static const std::string& tmp() { return RemoteEnvironment::tmp; }
};

// The install is the build's pmctl, in the sandboxes only: the host's /usr/local stays as it was.
TEST_F(RemoteTest, PmctlIsInstalledInTheSandboxesOnly) {
  for (const Box* box : {&kA, &kB}) {
    EXPECT_EQ(trimmed(inside(*box, "command -v pmctl").out), kInstalled) << box->alias;
    EXPECT_EQ(inside(*box, "cmp " + kInstalled + " " + quote(PMCTL_BINARY)).exit_code, 0)
        << box->alias << ": the installed pmctl is not the build's";
  }
  if (!RemoteEnvironment::host_had_pmctl) {
    EXPECT_NE(access(kInstalled.c_str(), F_OK), 0)
        << "meson install inside the sandbox wrote " << kInstalled << " on the host";
  }
}

// stdout, stderr and exit code of `pmctl -H a X` are those of `pmctl X` on a itself.
TEST_F(RemoteTest, SameAsOnTheHost) {
  // A stopped app gives `ls` a row whose cells do not change between the two runs.
  ASSERT_RUNS(on_the_host(kA, {"start", kApps + "/server.js", "--name", "same"}));
  ASSERT_RUNS(on_the_host(kA, {"stop", "same"}));
  const std::vector<std::vector<std::string>> commands{
      {"ls"},
      {"jlist"},
      {"describe", "nosuchapp"},
      {"start", kApps + "/server.js", "--no-such-option"},
      {"restart", "nosuchapp"},
  };
  for (const auto& args : commands) {
    std::string line;
    for (const auto& a : args) line += " " + a;
    const Result there = on_the_host(kA, args);
    const Result through = remote(kA.alias, args);
    EXPECT_EQ(through.out, there.out) << "pmctl" << line;
    EXPECT_EQ(through.err, there.err) << "pmctl" << line;
    EXPECT_EQ(through.exit_code, there.exit_code) << "pmctl" << line;
  }
  EXPECT_NE(on_the_host(kA, {"describe", "nosuchapp"}).exit_code, 0);
  EXPECT_EQ(on_the_host(kA, {"start", kApps + "/server.js", "--no-such-option"}).exit_code, 2);

  // One word with quotes, blanks, a glob and command substitutions: it reaches the remote pmctl
  // as that one word, and no shell on the way runs any of it.
  const std::string mark = "/tmp/pmctl-remote-pwned-" + std::to_string(getpid());
  const std::string word = "it's \"quoted\" $(touch " + mark + "1) `touch " + mark + "2` ; touch " +
                           mark + "3 * \\ & | > " + mark + "4 \ttab";
  const Result there = on_the_host(kA, {"describe", word});
  const Result through = remote(kA.alias, {"describe", word});
  EXPECT_EQ(through.out, there.out);
  EXPECT_EQ(through.err, there.err);
  EXPECT_EQ(through.exit_code, there.exit_code);
  EXPECT_NE(through.exit_code, 0);
  EXPECT_THAT(through.err, HasSubstr("$(touch " + mark + "1)")) << "the word did not arrive whole";
  const Result pwned = inside(kA, "ls " + mark + "* 2>/dev/null");
  EXPECT_EQ(trimmed(pwned.out), "") << "the argument ran a command on the remote";
  EXPECT_NE(test::sh("ls " + mark + "* 2>/dev/null").exit_code, 0)
      << "the argument ran a command on the local host";
  // A word that is an option of the remote shell or of ssh is an argument of pmctl too.
  const Result dash = remote(kA.alias, {"describe", "-oProxyCommand=touch " + mark + "5"});
  EXPECT_EQ(dash.err, on_the_host(kA, {"describe", "-oProxyCommand=touch " + mark + "5"}).err);
  EXPECT_EQ(trimmed(inside(kA, "ls " + mark + "* 2>/dev/null").out), "");
}

// `-H user@host:port`: the user and port of the spec are ssh's (-l, -p), over ssh_config's.
TEST_F(RemoteTest, TheUserAndPortOfTheSpecAreUsed) {
  // ssh_config sends pmctl-remote-elsewhere to a closed port as nobody.
  EXPECT_NE(remote("pmctl-remote-elsewhere", {"ls"}).exit_code, 0);
  const Result r = remote("root@pmctl-remote-elsewhere:" + std::to_string(kB.port), {"ls"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, on_the_host(kB, {"ls"}).out);
}

// A cluster app on the remote: start, ls, the port answers, logs, a reload to new PIDs with the
// port answering throughout.
TEST_F(RemoteTest, ClusterAppThroughH) {
  ASSERT_RUNS(remote(kA.alias, {"start", kApps + "/http_instance.js", "-i", "2", "--name", "web",
                                "--port", std::to_string(kWebPort)}));
  ASSERT_TRUE(test::eventually([&] { return online_pids(kA.alias, "web").size() == 2; }, 20s))
      << remote(kA.alias, {"jlist"}).out;
  const Result ls = remote(kA.alias, {"ls"});
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  std::size_t online_rows = 0;
  for (const auto& line : lines_of(ls.out))
    if (line.find(" web ") != std::string::npos && line.find("online") != std::string::npos)
      ++online_rows;
  EXPECT_EQ(online_rows, 2u) << ls.out;
  ASSERT_TRUE(test::eventually([&] { return http_get(kWebPort).starts_with("instance="); }, 20s));

  // Each instance's line as it started (on its own backend port, behind the balancer's).
  EXPECT_TRUE(test::eventually([&] {
    const std::string out = remote(kA.alias, {"logs", "web", "--nostream", "--lines", "5"}).out;
    return out.find("0|web | listening on ") != std::string::npos &&
           out.find("1|web | listening on ") != std::string::npos;
  })) << describe(remote(kA.alias, {"logs", "web", "--nostream", "--lines", "5"}));

  const std::set<int> before = online_pids(kA.alias, "web");
  std::atomic<bool> reloading{true};
  std::atomic<int> asked{0}, failed{0};
  std::thread client([&] {
    while (reloading) {
      ++asked;
      if (!http_get(kWebPort).starts_with("instance=")) ++failed;
      std::this_thread::sleep_for(50ms);
    }
  });
  const Result reload = remote(kA.alias, {"reload", "web"});
  reloading = false;
  client.join();
  ASSERT_EQ(reload.exit_code, 0) << describe(reload);
  EXPECT_EQ(failed.load(), 0) << "of " << asked.load() << " requests during the reload";
  std::set<int> after;
  EXPECT_TRUE(test::eventually(
      [&] {
        after = online_pids(kA.alias, "web");
        if (after.size() != 2) return false;
        for (int pid : after)
          if (before.count(pid)) return false;
        return true;
      },
      20s))
      << "PIDs before the reload are still there";
  EXPECT_TRUE(http_get(kWebPort).starts_with("instance="));
}

// `pmctl -H a logs app` follows; SIGINT to the local pmctl ends it within 3 s, and neither the
// ssh on the host nor the `pmctl logs` on the remote stays behind.
TEST_F(RemoteTest, LogsFollowStopsOnCtrlC) {
  // It prints a line every 200 ms.
  ASSERT_RUNS(remote(kA.alias, {"start", kApps + "/server.js", "--name", "talker"}));
  Child follow({PMCTL_BINARY, "-H", kA.alias, "logs", "talker"}, {RemoteEnvironment::ssh_env()});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  // Lines printed after it started following: a count beyond what the tail shows.
  while (std::chrono::steady_clock::now() < deadline && count(follow.out_text, "server: out") < 20)
    follow.pump(100ms);
  ASSERT_GE(count(follow.out_text, "server: out"), 20u)
      << "stdout: " << follow.out_text << "\nstderr: " << follow.err_text;
  EXPECT_THAT(pmctl_processes(kA), HasSubstr(" logs talker"))
      << "the remote pmctl logs is not running while it follows";

  ASSERT_EQ(kill(follow.pid, SIGINT), 0);
  const pid_t pid = follow.pid;
  const auto sent = std::chrono::steady_clock::now();
  const int code = follow.wait_exit(3s);
  EXPECT_NE(code, -1) << "pmctl -H logs still runs 3 s after SIGINT";
  if (code == -1) return;
  EXPECT_EQ(code, 128 + SIGINT) << "a local pmctl logs ends by its Ctrl-C; -H the same way";
  std::cerr << "[          ] pmctl -H logs ended "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - sent)
                   .count()
            << " ms after SIGINT, exit " << code << "\n";
  EXPECT_TRUE(
      test::eventually([&] { return pmctl_processes(kA).find(" logs ") == std::string::npos; }, 5s))
      << "left on the remote:\n"
      << pmctl_processes(kA);
  // Nothing of it on the host: no ssh over our ssh_config is left in its process group or at all.
  EXPECT_TRUE(test::eventually(
      [&] {
        return test::run({"pgrep", "-f", "ssh -F " + RemoteEnvironment::ssh_config + ".* logs"})
                   .exit_code != 0;
      },
      5s));
  EXPECT_NE(test::run({"pgrep", "-g", std::to_string(pid)}).exit_code, 0)
      << "processes of the follower's group are left on the host";
}

// monit over -H: in a terminal (tmux), ssh gets -t, so the remote pmctl draws its screen here;
// q quits it and the local pmctl with it. With two hosts it is refused in one line.
TEST_F(RemoteTest, MonitDrawsTheRemoteAppsInATerminal) {
  ASSERT_RUNS(remote(kA.alias, {"start", kApps + "/server.js", "--name", "watched-remotely"}));
  const std::string server = "-L pmctl-remote-monit-" + std::to_string(getpid());
  const std::string command = "env '" + RemoteEnvironment::ssh_env() + "' " + PMCTL_BINARY +
                              " -H " + kA.alias + " monit; echo EXIT=$?; sleep 60";
  ASSERT_EQ(test::run({"tmux", "-L", "pmctl-remote-monit-" + std::to_string(getpid()),
                       "new-session", "-d", "-s", "m", "-x", "120", "-y", "30", command})
                .exit_code,
            0);
  const auto pane = [&] {
    return test::run({"sh", "-c", "tmux " + server + " capture-pane -p -t m"}).out;
  };
  EXPECT_TRUE(test::eventually(
      [&] {
        const std::string p = pane();
        return p.find("watched-remotely") != std::string::npos &&
               p.find("online") != std::string::npos;
      },
      15s))
      << pane();
  test::run({"sh", "-c", "tmux " + server + " send-keys -t m q"});
  EXPECT_TRUE(test::eventually([&] { return pane().find("EXIT=0") != std::string::npos; }, 10s))
      << pane();
  test::run({"sh", "-c", "tmux " + server + " kill-server"});

  const Result two = remote(kA.alias + "," + kB.alias, {"monit"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_EQ(count(two.err, "\n"), 1u) << two.err;
  EXPECT_THAT(two.err, HasSubstr("monit shows one host at a time"));
}

// save and startup through -H, then the remote reboots: the app comes back by itself, a new
// process of the new boot, and sshd with it.
TEST_F(RemoteTest, SaveAndRebootKeepsApps) {
  ASSERT_RUNS(remote(kA.alias, {"start", kApps + "/server.js", "--name", "keeper"}));
  std::set<int> pids;
  ASSERT_TRUE(
      test::eventually([&] { return (pids = online_pids(kA.alias, "keeper")).size() == 1; }, 20s));
  ASSERT_RUNS(remote(kA.alias, {"startup"}));
  ASSERT_RUNS(remote(kA.alias, {"save"}));
  const std::string boot_before = trimmed(inside(kA, "cat /proc/sys/kernel/random/boot_id").out);
  const auto rebooted_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const Result reboot = sandbox(kA, {"reboot"});
  ASSERT_EQ(reboot.exit_code, 0) << describe(reboot);
  EXPECT_NE(trimmed(inside(kA, "cat /proc/sys/kernel/random/boot_id").out), boot_before);
  ASSERT_TRUE(RemoteEnvironment::wait_for_ssh(kA)) << "sshd did not come back after the reboot";

  json app;
  EXPECT_TRUE(test::eventually(
      [&] {
        const auto r = rows(kA.alias, "keeper");
        if (r.size() != 1 || r[0]["pm2_env"].value("status", "") != "online") return false;
        app = r[0];
        return true;
      },
      30s))
      << remote(kA.alias, {"jlist"}).out;
  if (app.is_null()) return;
  EXPECT_EQ(pids.count(app.value("pid", 0)), 0u) << "the same PID as before the reboot";
  EXPECT_GE(app["pm2_env"].value("pm_uptime", std::int64_t{0}), rebooted_at)
      << "the app did not start in the new boot";
  const Result ls = remote(kA.alias, {"ls"});
  EXPECT_EQ(ls.exit_code, 0);
  bool row = false;
  for (const auto& line : lines_of(ls.out))
    row = row ||
          (line.find("keeper") != std::string::npos && line.find("online") != std::string::npos);
  EXPECT_TRUE(row) << ls.out;
}

// PM2's deploy from a bare repository on the local machine (the remote clones it by path: the
// sandbox sees the repository, and so the temp dir, at the same path).
TEST_F(RemoteTest, DeployFromABareRepo) {
  const std::string dir = tmp() + "/deploy";
  const std::string bare = dir + "/app.git";
  const std::string work = dir + "/work";
  const std::string path = "/var/tmp/pmctl-deploy-test";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir + "/local").c_str(), 0755), 0);
  auto git = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"git",
                                  "-c",
                                  "user.name=pmctl tests",
                                  "-c",
                                  "user.email=tests@pmctl.invalid",
                                  "-c",
                                  "init.defaultBranch=main",
                                  "-C",
                                  work};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, {"GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir});
  };
  ASSERT_RUNS(test::run({"git", "init", "-q", "--bare", "-b", "main", bare}));
  ASSERT_RUNS(test::run({"git", "init", "-q", "-b", "main", work}));
  // It reads VERSION when it starts: it answers a new version only once it was restarted.
  write_file(work + "/app.js",
             "const fs = require('fs'), http = require('http'), path = require('path');\n"
             "const version = fs.readFileSync(path.join(__dirname, 'VERSION'), 'utf8').trim();\n"
             "http.createServer((req, res) => res.end(`${version} ${process.env.NODE_ENV}\\n`))\n"
             "  .listen(" +
                 std::to_string(kDeployPort) +
                 ", '127.0.0.1');\n"
                 "console.log(`deployed ${version}`);\n"
                 "process.on('SIGINT', () => process.exit(0));\n");
  const std::string target = "user: 'root', host: '" + kA.alias + "', ref: 'origin/main', repo: '" +
                             bare + "', path: '" + path + "'";
  const std::string ecosystem =
      "module.exports = {\n"
      "  apps: [{name: 'deployed', script: 'app.js', env_production: {NODE_ENV: 'production'}}],\n"
      "  deploy: {\n"
      "    production: {" +
      target +
      ", 'post-deploy': 'pmctl startOrReload ecosystem.config.js --env production'},\n"
      "    broken: {" +
      target +
      ", 'post-deploy': 'false'},\n"
      "  },\n"
      "};\n";
  write_file(work + "/ecosystem.config.js", ecosystem);
  const std::string local = dir + "/local/ecosystem.config.js";
  write_file(local, ecosystem);
  auto commit = [&](const std::string& version) {
    write_file(work + "/VERSION", version + "\n");
    EXPECT_EQ(git({"add", "-A"}).exit_code, 0);
    EXPECT_EQ(git({"commit", "-q", "-m", version}).exit_code, 0);
    EXPECT_EQ(git({"push", "-q", bare, "main"}).exit_code, 0);
    return trimmed(git({"rev-parse", "HEAD"}).out).substr(0, 7);
  };
  auto deploy = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"deploy", local};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::pmctl(argv, {RemoteEnvironment::ssh_env()});
  };
  auto answers = [&](const std::string& version) {
    return test::eventually([&] { return http_get(kDeployPort) == version + " production\n"; },
                            20s);
  };
  auto head = [&] {
    return trimmed(inside(kA, "git -C " + path + "/source rev-parse --short=7 HEAD").out);
  };
  auto deploys = [&] { return inside(kA, "cat " + path + "/.deploys").out; };
  inside(kA, "rm -rf " + path);

  const std::string v1 = commit("v1");
  ASSERT_RUNS(deploy({"production", "setup"}));
  EXPECT_EQ(inside(kA, "test -d " + path + "/source/.git && test \"$(readlink " + path +
                           "/current)\" = " + path + "/source && test -d " + path +
                           "/shared/logs && test -d " + path + "/shared/pids")
                .exit_code,
            0)
      << inside(kA, "find " + path + " -maxdepth 2 -not -path '*/.git/*' -printf '%p %y %l\\n'")
             .out;

  ASSERT_RUNS(deploy({"production", "update"}));
  EXPECT_TRUE(answers("v1")) << http_get(kDeployPort);
  EXPECT_EQ(head(), v1);

  const std::string v2 = commit("v2");
  ASSERT_RUNS(deploy({"production", "update"}));
  EXPECT_TRUE(answers("v2")) << http_get(kDeployPort);
  const auto lines = lines_of(deploys());
  ASSERT_EQ(lines.size(), 2u) << deploys();
  EXPECT_TRUE(lines[0].starts_with(v1)) << deploys();
  EXPECT_TRUE(lines[1].starts_with(v2)) << deploys();

  const Result curr = deploy({"production", "curr"});
  EXPECT_EQ(curr.exit_code, 0) << describe(curr);
  EXPECT_THAT(curr.out, HasSubstr(v2));
  EXPECT_THAT(curr.out, Not(HasSubstr(v1)));
  const Result prev = deploy({"production", "prev"});
  EXPECT_EQ(prev.exit_code, 0) << describe(prev);
  EXPECT_THAT(prev.out, HasSubstr(v1));
  EXPECT_THAT(prev.out, Not(HasSubstr(v2)));
  const Result list = deploy({"production", "list"});
  EXPECT_EQ(list.exit_code, 0) << describe(list);
  EXPECT_THAT(list.out, HasSubstr(v1));
  EXPECT_THAT(list.out, HasSubstr(v2));

  ASSERT_RUNS(deploy({"production", "revert"}));
  EXPECT_TRUE(answers("v1")) << http_get(kDeployPort);
  EXPECT_EQ(head(), v1);
  const Result exec = deploy({"production", "exec", "cat VERSION"});
  EXPECT_EQ(exec.exit_code, 0) << describe(exec);
  EXPECT_THAT(exec.out, HasSubstr("v1"));
  EXPECT_THAT(exec.out, Not(HasSubstr("v2")));

  // A post-deploy that fails: the checkout goes back, .deploys stays, the app keeps answering.
  const std::string before = deploys();
  commit("v3");
  const Result broken = deploy({"broken", "update"});
  EXPECT_NE(broken.exit_code, 0) << describe(broken);
  std::size_t error_lines = 0;
  bool named = false;
  for (const auto& line : lines_of(broken.err)) {
    if (!line.starts_with("pmctl: error:")) continue;
    ++error_lines;
    named = named || (line.find("deploy broken") != std::string::npos &&
                      line.find("post-deploy") != std::string::npos);
  }
  EXPECT_EQ(error_lines, 1u) << broken.err;
  EXPECT_TRUE(named) << "no error line names the env and post-deploy: " << broken.err;
  EXPECT_EQ(head(), v1) << "the failed deploy's commit stayed checked out";
  EXPECT_EQ(deploys(), before);
  EXPECT_EQ(http_get(kDeployPort), "v1 production\n");

  inside(kA, kInstalled + " delete deployed; rm -rf " + path);
}

// Several hosts at once: one merged table with a host column, one merged JSON array, a prefix per
// line otherwise; a host that is down is one error line and exit 1, the others still answer.
TEST_F(RemoteTest, MultiHost) {
  const std::string both = kA.alias + "," + kB.alias;
  const Result start = remote(both, {"start", kApps + "/server.js", "--name", "multi"});
  ASSERT_EQ(start.exit_code, 0) << describe(start);
  for (const Box* box : {&kA, &kB})
    EXPECT_TRUE(test::eventually([&] { return online_pids(box->alias, "multi").size() == 1; }))
        << box->alias;

  const Result ls = remote(both, {"ls"});
  EXPECT_EQ(ls.exit_code, 0) << describe(ls);
  const auto ls_lines = lines_of(ls.out);
  std::string header;
  for (const auto& line : ls_lines)
    if (line.find("name") != std::string::npos) {
      header = line;
      break;
    }
  // The first cell of the header row is "host".
  const auto first = header.find_first_not_of(" │|┌├┬─");
  EXPECT_EQ(header.substr(first == std::string::npos ? 0 : first, 4), "host") << ls.out;
  for (const Box* box : {&kA, &kB}) {
    bool row = false;
    for (const auto& line : ls_lines)
      row = row ||
            (line.find(box->alias) != std::string::npos && line.find("multi") != std::string::npos);
    EXPECT_TRUE(row) << box->alias << " has no row of multi:\n" << ls.out;
  }

  const Result jl = remote(both, {"jlist"});
  EXPECT_EQ(jl.exit_code, 0) << describe(jl);
  const json list = json::parse(jl.out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << jl.out;
  std::multiset<std::string> hosts;
  for (const auto& a : list)
    if (a.value("name", "") == "multi") hosts.insert(a.value("host", ""));
  EXPECT_EQ(hosts, (std::multiset<std::string>{kA.alias, kB.alias})) << jl.out;

  // A group from an ecosystem file: -H @file:env is the hosts of its deploy.<env>.
  const std::string eco = tmp() + "/group.config.js";
  write_file(eco,
             "module.exports = {apps: [{name: 'x', script: 'x.js'}], deploy: {fleet: {host: ['" +
                 kA.alias + "', '" + kB.alias +
                 "'], ref: 'origin/main', repo: '/nowhere.git', path: '/srv/x'}}};\n");
  const json grouped = json::parse(remote("@" + eco + ":fleet", {"jlist"}).out, nullptr, false);
  std::multiset<std::string> group_hosts;
  for (const auto& a : grouped.is_array() ? grouped : json::array())
    if (a.value("name", "") == "multi") group_hosts.insert(a.value("host", ""));
  EXPECT_EQ(group_hosts, (std::multiset<std::string>{kA.alias, kB.alias})) << grouped.dump();
  const Result no_env = remote("@" + eco + ":staging", {"ls"});
  EXPECT_EQ(no_env.exit_code, 2) << describe(no_env);
  EXPECT_THAT(no_env.err, HasSubstr("no deploy environment 'staging'"));

  // Other verbs: each line with its host's label.
  const Result pid = remote(both, {"pid", "multi"});
  EXPECT_EQ(pid.exit_code, 0) << describe(pid);
  std::set<std::string> labels;
  for (const auto& line : lines_of(pid.out)) {
    ASSERT_TRUE(line.starts_with("[")) << pid.out;
    labels.insert(line.substr(1, line.find("] ") - 1));
  }
  EXPECT_EQ(labels, (std::set<std::string>{kA.alias, kB.alias})) << pid.out;

  const Result down = remote(kA.alias + ",nosuch-host", {"ls"});
  EXPECT_EQ(down.exit_code, 1) << describe(down);
  EXPECT_THAT(down.out, HasSubstr("multi"));
  EXPECT_THAT(down.out, HasSubstr(kA.alias));
  const auto err = lines_of(down.err);
  ASSERT_EQ(err.size(), 1u) << down.err;
  EXPECT_TRUE(err[0].starts_with("pmctl: error: host 'nosuch-host'")) << down.err;
  EXPECT_LT(down.elapsed, 10s);

  const Result stop = remote(both, {"delete", "multi"});
  EXPECT_EQ(stop.exit_code, 0) << describe(stop);
  EXPECT_TRUE(rows(both, "multi").empty());
}

// A remote without pmctl in its PATH, then with an older pmctl there: one line saying which.
TEST_F(RemoteTest, MissingOrOldPmctl) {
  const std::string aside = kInstalled + ".aside";
  ASSERT_RUNS(inside(kB, "mv " + kInstalled + " " + aside));
  struct Restore {
    std::string cmd;
    ~Restore() { inside(kB, cmd); }
  } restore{"mv -f " + aside + " " + kInstalled};

  const Result missing = remote(kB.alias, {"ls"});
  EXPECT_NE(missing.exit_code, 0) << describe(missing);
  EXPECT_EQ(missing.out, "");
  const auto missing_err = lines_of(missing.err);
  ASSERT_EQ(missing_err.size(), 1u) << missing.err;
  EXPECT_TRUE(missing_err[0].starts_with("pmctl: error: host '" + kB.alias + "'")) << missing.err;
  EXPECT_THAT(missing_err[0], HasSubstr("not installed"));

  // pmctl 0.1.0 answered the protocol question as any unknown command.
  const std::string stand_in = tmp() + "/old-pmctl";
  write_file(stand_in,
             "#!/bin/sh\n"
             "echo \"pmctl: error: unknown command '$1' (hint: see 'pmctl --help')\" >&2\n"
             "exit 2\n",
             0755);
  ASSERT_RUNS(inside(kB, "install -m 755 " + stand_in + " " + kInstalled));
  const Result old = remote(kB.alias, {"ls"});
  EXPECT_NE(old.exit_code, 0) << describe(old);
  EXPECT_EQ(old.out, "");
  const auto old_err = lines_of(old.err);
  ASSERT_EQ(old_err.size(), 1u) << old.err;
  EXPECT_TRUE(old_err[0].starts_with("pmctl: error: host '" + kB.alias + "'")) << old.err;
  EXPECT_THAT(old_err[0], HasSubstr("older"));
}

// Host specs that cannot be right are refused as usage errors before any ssh runs.
TEST_F(RemoteTest, BadHostSpecs) {
  const std::string spy = tmp() + "/ssh-spy";
  const std::string ran = tmp() + "/ssh-ran";
  write_file(spy, "#!/bin/sh\ntouch " + quote(ran) + "\nexit 255\n", 0755);
  const std::string spy_env = "PMCTL_SSH_COMMAND=" + spy;
  for (const std::string spec : {"", "a:notaport", "a,,b", "-oProxyCommand=x"}) {
    const Result r = test::pmctl({"-H", spec, "ls"}, {spy_env});
    EXPECT_EQ(r.exit_code, 2) << "-H '" << spec << "': " << describe(r);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << "-H '" << spec << "': " << r.err;
    EXPECT_THAT(r.err, HasSubstr("pmctl: error:")) << "-H '" << spec << "'";
    EXPECT_LT(r.elapsed, 2s) << "-H '" << spec << "'";
  }
  const Result env = test::pmctl({"ls"}, {spy_env, "PMCTL_HOST=-oProxyCommand=x"});
  EXPECT_EQ(env.exit_code, 2) << "PMCTL_HOST=-oProxyCommand=x: " << describe(env);
  EXPECT_EQ(lines_of(env.err).size(), 1u) << env.err;
  EXPECT_NE(access(ran.c_str(), F_OK), 0) << "ssh ran for a bad host spec";
  // The spy itself works: a good spec does run it.
  const Result good = test::pmctl({"-H", "somehost", "ls"}, {spy_env});
  EXPECT_NE(good.exit_code, 0);
  EXPECT_EQ(access(ran.c_str(), F_OK), 0) << "the ssh stand-in never ran: " << describe(good);
}

}  // namespace
}  // namespace pmctl::remote_test
