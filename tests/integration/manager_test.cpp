// Drives sd::connect_manager and sd::Journal against the real systemd of the sandbox
// (tests/sandbox.sh); runs inside it as root.

#include "core/types/manager.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/base/resources.hpp"
#include "systemd/journal.hpp"
#include "systemd/sd_manager.hpp"
#include "systemd/sd_manager_impl.hpp"

namespace pmctl {
namespace {

using namespace std::chrono_literals;
using core::Property;
using core::Scope;
using core::UnitSpec;

std::string unique_name(const std::string& base) {
  return "pmctl-it-" + base + "-" + std::to_string(getpid()) + ".service";
}

/// Polls `done` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

/// A service whose stdout lands in the journal as PRIORITY=6 and stderr as PRIORITY=3.
UnitSpec logged_shell(const std::string& name, const std::string& script,
                      const std::string& restart = "no") {
  UnitSpec spec;
  spec.name = name;
  core::ExecCommand command{
      "/usr/bin/systemd-cat",
      {"/usr/bin/systemd-cat", "-t", name, "--stderr-priority=err", "--", "/bin/sh", "-c", script},
      {"no-env-expand"}};
  spec.properties = {
      {"Description", std::string("pmctl integration test")},
      {"Type", std::string("exec")},
      {"ExecStartEx", std::vector<core::ExecCommand>{command}},
      {"Restart", restart},
      {"RestartUSec", std::uint64_t{100000}},
  };
  return spec;
}

UnitSpec sleeper(const std::string& name) {
  UnitSpec spec;
  spec.name = name;
  spec.properties = {
      {"ExecStartEx", std::vector<core::ExecCommand>{{"/bin/sleep", {"/bin/sleep", "60"}, {}}}},
  };
  return spec;
}

std::vector<sd::LogLine> tail_of(sd::Journal& journal, const std::string& unit,
                                 sd::Streams streams = sd::Streams::Both) {
  sd::LogQuery query;
  query.units = {unit};
  query.streams = streams;
  return journal.tail(query, 100);
}

bool has_line(const std::vector<sd::LogLine>& lines, const std::string& message, int priority) {
  return std::any_of(lines.begin(), lines.end(), [&](const sd::LogLine& l) {
    return l.message == message && l.priority == priority;
  });
}

class SdManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { manager_ = sd::connect_manager(Scope::System); }

  void TearDown() override {
    for (const auto& unit : created_) {
      try {
        manager_->stop(unit);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup stop " << unit << ": " << e.what();
      }
      try {
        manager_->reset_failed(unit);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup reset-failed " << unit << ": " << e.what();
      }
    }
  }

  void start(const UnitSpec& spec) {
    created_.push_back(spec.name);
    manager_->start_transient(spec);
  }

  core::UnitState query_one(const std::string& unit) { return manager_->query({unit}).at(0); }

  std::unique_ptr<core::Manager> manager_;
  std::vector<std::string> created_;
};

TEST_F(SdManagerTest, StartsQueriesLogsRestartsAndStopsATransientService) {
  const std::string unit = unique_name("life");
  start(logged_shell(unit, "echo out; echo err >&2; exec sleep 30", "always"));

  core::UnitState state = query_one(unit);
  EXPECT_EQ(state.name, unit);
  EXPECT_TRUE(state.loaded);
  EXPECT_EQ(state.active_state, "active");
  EXPECT_EQ(state.sub_state, "running");
  EXPECT_GT(state.main_pid, 0u);
  // A running unit's last-exit fields are not asked for; its usage comes from cgroupfs.
  const std::string cgroup = core::process_cgroup(state.main_pid);
  EXPECT_THAT(cgroup, ::testing::HasSubstr(unit)) << cgroup;
  EXPECT_GT(core::usage_of_cgroup(cgroup).memory_bytes, 0u);
  EXPECT_EQ(state.n_restarts, 0u);

  sd::Journal journal(Scope::System);
  std::vector<sd::LogLine> lines;
  EXPECT_TRUE(eventually([&] {
    lines = tail_of(journal, unit);
    return has_line(lines, "out", 6) && has_line(lines, "err", 3);
  })) << "journal lines: "
      << lines.size();
  for (const auto& line : lines) {
    EXPECT_EQ(line.unit, unit);
    EXPECT_GT(line.pid, 0u);
    EXPECT_GT(line.realtime_usec, 0u);
  }
  EXPECT_TRUE(has_line(tail_of(journal, unit, sd::Streams::Out), "out", 6));
  EXPECT_FALSE(has_line(tail_of(journal, unit, sd::Streams::Out), "err", 3));
  EXPECT_TRUE(has_line(tail_of(journal, unit, sd::Streams::Err), "err", 3));
  EXPECT_FALSE(has_line(tail_of(journal, unit, sd::Streams::Err), "out", 6));

  const std::uint32_t first_pid = state.main_pid;
  manager_->kill(unit, SIGKILL);
  EXPECT_TRUE(eventually([&] {
    state = query_one(unit);
    return state.n_restarts >= 1 && state.sub_state == "running" && state.main_pid != first_pid;
  })) << state.active_state
      << "/" << state.sub_state << " restarts " << state.n_restarts;

  manager_->stop(unit);
  EXPECT_TRUE(manager_->wait_unloaded(unit, 5s));
  state = query_one(unit);
  EXPECT_FALSE(state.loaded);
  EXPECT_EQ(state.main_pid, 0u);
}

TEST_F(SdManagerTest, StopWaitsUntilTheStopJobIsDone) {
  // The app ignores SIGINT, so the stop job ends only when SIGKILL follows TimeoutStopUSec.
  const std::string unit = unique_name("stubborn");
  UnitSpec spec = logged_shell(unit, "trap '' INT; echo ready; while :; do sleep 0.05; done");
  spec.properties.push_back({"KillSignal", std::int32_t{SIGINT}});
  spec.properties.push_back({"TimeoutStopUSec", std::uint64_t{700000}});
  start(spec);
  sd::Journal journal(Scope::System);
  ASSERT_TRUE(eventually([&] { return has_line(tail_of(journal, unit), "ready", 6); }));
  const auto begin = std::chrono::steady_clock::now();
  manager_->stop(unit);
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(elapsed, 650ms);
  EXPECT_LT(elapsed, 3s);
  core::UnitState state = query_one(unit);
  // SIGKILL after the timeout leaves the service failed (Result=timeout) rather than inactive.
  EXPECT_EQ(state.active_state, "failed");
  EXPECT_EQ(state.result, "timeout");
}

TEST_F(SdManagerTest, StoppingAnUnknownUnitSucceeds) {
  EXPECT_NO_THROW(manager_->stop(unique_name("never-created")));
  EXPECT_NO_THROW(manager_->reset_failed(unique_name("never-created")));
}

TEST_F(SdManagerTest, WaitUnloadedIsTrueForAnUnknownUnit) {
  EXPECT_TRUE(manager_->wait_unloaded(unique_name("never-created"), 0ms));
}

TEST_F(SdManagerTest, StartingANameThatIsStillLoadedThrowsUnitExists) {
  const std::string unit = unique_name("dup");
  start(sleeper(unit));
  try {
    manager_->start_transient(sleeper(unit));
    FAIL() << "expected UnitExists";
  } catch (const core::ManagerError& e) {
    EXPECT_EQ(e.name(), core::kUnitExists);
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(core::kUnitExists)) << e.what();
  }
}

TEST_F(SdManagerTest, AFailedStartJobThrowsJobFailed) {
  const std::string unit = unique_name("nobinary");
  UnitSpec spec;
  spec.name = unit;
  spec.properties = {
      {"Type", std::string("exec")},
      {"ExecStartEx",
       std::vector<core::ExecCommand>{{"/nonexistent/binary", {"/nonexistent/binary"}, {}}}},
  };
  try {
    start(spec);
    FAIL() << "expected JobFailed";
  } catch (const core::ManagerError& e) {
    EXPECT_EQ(e.name(), core::kJobFailed);
    EXPECT_EQ(std::string(e.what()), unit + ": start job failed");
  }
  core::UnitState state = query_one(unit);
  EXPECT_TRUE(state.loaded);
  EXPECT_EQ(state.active_state, "failed");
  EXPECT_EQ(state.result, "exit-code");
  EXPECT_EQ(state.exec_main_code, 1);      // CLD_EXITED
  EXPECT_EQ(state.exec_main_status, 203);  // EXIT_EXEC
  manager_->reset_failed(unit);
  EXPECT_TRUE(manager_->wait_unloaded(unit, 5s));
}

TEST_F(SdManagerTest, PassesEveryPropertyTypeThroughStartTransientUnit) {
  const std::string unit = unique_name("types");
  UnitSpec spec = logged_shell(unit, "echo \"$PMCTL_A\"; exec sleep 30");
  spec.properties.push_back({"Environment", std::vector<std::string>{"PMCTL_A=hello world"}});
  spec.properties.push_back(
      {"EnvironmentFiles", std::vector<core::EnvironmentFile>{{"/nonexistent.env", true}}});
  spec.properties.push_back({"RestartPreventExitStatus", core::ExitStatusSet{{42, 43}, {SIGUSR1}}});
  spec.properties.push_back({"SendSIGKILL", true});
  spec.properties.push_back({"KillSignal", std::int32_t{SIGINT}});
  spec.properties.push_back({"LogRateLimitBurst", std::uint32_t{1000}});
  spec.properties.push_back({"TimeoutStopUSec", std::uint64_t{1600000}});
  spec.properties.push_back({"LogExtraFields", core::ByteArrays{{"PMCTL_APP=types"}}});
  start(spec);
  EXPECT_EQ(query_one(unit).sub_state, "running");
  sd::Journal journal(Scope::System);
  EXPECT_TRUE(eventually([&] { return has_line(tail_of(journal, unit), "hello world", 6); }));
}

TEST_F(SdManagerTest, QueryKeepsTheInputOrderAndMarksUnknownUnitsUnloaded) {
  const std::string a = unique_name("order-a");
  const std::string b = unique_name("order-b");
  const std::string missing = unique_name("order-missing");
  start(sleeper(a));
  start(sleeper(b));
  std::vector<core::UnitState> states = manager_->query({b, missing, a, b});
  ASSERT_EQ(states.size(), 4u);
  EXPECT_EQ(states[0].name, b);
  EXPECT_TRUE(states[0].loaded);
  EXPECT_EQ(states[1].name, missing);
  EXPECT_FALSE(states[1].loaded);
  EXPECT_EQ(states[1].active_state, "");
  EXPECT_EQ(states[2].name, a);
  EXPECT_TRUE(states[2].loaded);
  EXPECT_EQ(states[3].name, b);
  EXPECT_EQ(states[3].main_pid, states[0].main_pid);
  EXPECT_NE(states[0].main_pid, states[2].main_pid);
  EXPECT_TRUE(manager_->query({}).empty());
}

TEST_F(SdManagerTest, RestartAndStartOfALoadedUnitWaitForTheirJobs) {
  const std::string unit = unique_name("restart");
  start(sleeper(unit));
  const std::uint32_t first_pid = query_one(unit).main_pid;
  manager_->restart(unit);
  core::UnitState state = query_one(unit);
  EXPECT_EQ(state.sub_state, "running");
  EXPECT_NE(state.main_pid, first_pid);
  EXPECT_NO_THROW(manager_->start(unit));  // already running: the job is a no-op
  EXPECT_EQ(query_one(unit).main_pid, state.main_pid);
}

/// A loopback TCP port that was free a moment ago.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

/// Connects to 127.0.0.1:`port` and returns what the peer sends until it closes.
std::string read_from_port(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    char buf[256];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

// Cluster mode's building block: systemd owns the port, and the service of the same name,
// created in the same call (aux), gets it as fd 3 when the first connection arrives.
TEST_F(SdManagerTest, ATransientSocketHandsItsPortToTheServiceCreatedWithIt) {
  const std::string base = unique_name("sock");
  const int port = free_port();
  UnitSpec service;
  service.name = base + ".service";
  const std::string js =
      "require('net').createServer(c => c.end('hello from fd 3\\n')).listen({fd: 3})";
  service.properties = {
      {"ExecStartEx", std::vector<core::ExecCommand>{{"/usr/bin/node", {"node", "-e", js}, {}}}}};
  UnitSpec socket_unit;
  socket_unit.name = base + ".socket";
  socket_unit.properties = {{"Listen", std::vector<core::ListenAddress>{
                                           {"Stream", "127.0.0.1:" + std::to_string(port)}}}};
  socket_unit.aux = {service};
  created_.push_back(service.name);
  start(socket_unit);
  EXPECT_EQ(query_one(socket_unit.name).active_state, "active");
  EXPECT_EQ(query_one(service.name).active_state, "inactive");  // until a client comes
  EXPECT_EQ(read_from_port(port), "hello from fd 3\n");
  EXPECT_EQ(read_from_port(port), "hello from fd 3\n");  // the same service keeps serving
  EXPECT_EQ(query_one(service.name).active_state, "active");
}

// Speed is bench/run.sh's business; this checks that one batched query answers for many units,
// each in its place.
TEST_F(SdManagerTest, QueryOfFiftyUnitsAnswersForEachInTheGivenOrder) {
  std::vector<std::string> units;
  for (int i = 0; i < 50; ++i) {
    units.push_back(unique_name("many-" + std::to_string(i)));
    start(sleeper(units.back()));
  }
  const std::vector<core::UnitState> states = manager_->query(units);
  ASSERT_EQ(states.size(), units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    EXPECT_EQ(states[i].name, units[i]);
    EXPECT_EQ(states[i].active_state, "active") << units[i];
    EXPECT_GT(states[i].main_pid, 0u) << units[i];
  }
}

TEST_F(SdManagerTest, FollowDeliversOnlyLinesWrittenAfterItStarts) {
  const std::string unit = unique_name("follow");
  start(logged_shell(unit, "i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.1; done"));
  sd::Journal journal(Scope::System);
  ASSERT_TRUE(eventually([&] { return has_line(tail_of(journal, unit), "tick2", 6); }));

  const auto started = std::chrono::system_clock::now();
  const std::uint64_t started_usec =
      std::chrono::duration_cast<std::chrono::microseconds>(started.time_since_epoch()).count();
  sd::LogQuery query;
  query.units = {unit};
  std::vector<sd::LogLine> got;
  journal.follow(query, [&](const sd::LogLine& line) {
    got.push_back(line);
    return got.size() < 3;
  });
  ASSERT_EQ(got.size(), 3u);
  // Entries are stamped by journald on receipt; allow the one in flight when follow began.
  EXPECT_GT(got[0].realtime_usec + 200000, started_usec);
  for (const auto& line : got) {
    EXPECT_EQ(line.unit, unit);
    EXPECT_THAT(line.message, ::testing::StartsWith("tick")) << line.message;
  }
  EXPECT_NE(got[0].message, "tick1");
}

TEST_F(SdManagerTest, FollowSeesTheFirstLineOfAUnitThatHasNoEntriesYet) {
  const std::string unit = unique_name("follow-new");
  sd::Journal journal(Scope::System);
  std::thread starter([&] {
    std::this_thread::sleep_for(300ms);
    auto other = sd::connect_manager(Scope::System);
    other->start_transient(logged_shell(unit, "echo first; exec sleep 30"));
  });
  created_.push_back(unit);
  sd::LogQuery query;
  query.units = {unit};
  std::string first;
  journal.follow(query, [&](const sd::LogLine& line) {
    first = line.message;
    return false;
  });
  starter.join();
  EXPECT_EQ(first, "first");
}

TEST_F(SdManagerTest, TailKeepsBinaryMessagesAndHonoursTheWatermark) {
  const std::string unit = unique_name("binary");
  start(logged_shell(unit, "printf 'one\\n'; sleep 0.3; printf 'a\\001b\\n'; exec sleep 30"));
  sd::Journal journal(Scope::System);
  std::vector<sd::LogLine> lines;
  ASSERT_TRUE(eventually([&] {
    lines = tail_of(journal, unit);
    return lines.size() >= 2;
  }));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].message, "one");
  EXPECT_EQ(lines[1].message, std::string("a\001b"));

  sd::LogQuery query;
  query.units = {unit};
  query.since_usec[unit] = lines[0].realtime_usec;
  std::vector<sd::LogLine> after = journal.tail(query, 100);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].message, std::string("a\001b"));
  EXPECT_EQ(journal.tail(query, 0).size(), 0u);

  // Several units merge by time; `lines` applies per unit.
  const std::string other = unique_name("binary-other");
  start(logged_shell(other, "echo two; echo three; exec sleep 30"));
  query = {};
  query.units = {other, unit};
  ASSERT_TRUE(eventually([&] { return journal.tail(query, 100).size() >= 4; }));
  std::vector<sd::LogLine> merged = journal.tail(query, 1);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].message, std::string("a\001b"));
  EXPECT_EQ(merged[1].message, "three");
  EXPECT_LE(merged[0].realtime_usec, merged[1].realtime_usec);
}

TEST_F(SdManagerTest, WaitsForJobsOverTheBrokerToo) {
  // Through dbus-daemon: signals need Subscribe and carry the sender org.freedesktop.systemd1.
  auto broker = sd::make_manager(sd::connect_broker(Scope::System));
  const std::string unit = unique_name("broker");
  created_.push_back(unit);
  broker->start_transient(sleeper(unit));
  core::UnitState state = broker->query({unit}).at(0);
  EXPECT_EQ(state.sub_state, "running");
  EXPECT_GT(state.main_pid, 0u);
  broker->restart(unit);
  EXPECT_NE(broker->query({unit}).at(0).main_pid, state.main_pid);
  broker->stop(unit);
  EXPECT_TRUE(broker->wait_unloaded(unit, 5s));
}

// An unprivileged caller cannot use /run/systemd/private (mode 0700) and falls back to the system
// bus, where reading works and changing is refused.
TEST_F(SdManagerTest, AnUnprivilegedCallerReadsThroughTheSystemBus) {
  const std::string unit = unique_name("unprivileged");
  start(sleeper(unit));
  EXPECT_EXIT(
      {
        if (setgid(65534) != 0 || setuid(65534) != 0) std::_Exit(10);
        try {
          auto manager = sd::connect_manager(Scope::System);
          if (manager->query({unit}).at(0).main_pid == 0) std::_Exit(11);
          try {
            manager->start_transient(sleeper(unique_name("refused")));
            std::_Exit(12);
          } catch (const core::ManagerError& e) {
            // polkitd runs here, so the refusal asks for interactive authentication; without
            // polkitd it is AccessDenied.
            const bool refused =
                e.name() == core::kAccessDenied ||
                e.name() == "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired";
            std::_Exit(refused ? 0 : 13);
          }
        } catch (...) {
          std::_Exit(14);
        }
      },
      ::testing::ExitedWithCode(0), "");
}

// The user manager (user@0.service) takes the same calls over $XDG_RUNTIME_DIR/systemd/private.
class SdUserManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    was_running_ = std::system("systemctl is-active --quiet user@0.service") == 0;
    ASSERT_EQ(std::system("XDG_RUNTIME_DIR=/run/user/0 systemctl start user@0.service"), 0);
    const char* old = std::getenv("XDG_RUNTIME_DIR");
    if (old != nullptr) old_runtime_dir_ = old;
    had_runtime_dir_ = old != nullptr;
    setenv("XDG_RUNTIME_DIR", "/run/user/0", 1);
  }

  void TearDown() override {
    if (had_runtime_dir_)
      setenv("XDG_RUNTIME_DIR", old_runtime_dir_.c_str(), 1);
    else
      unsetenv("XDG_RUNTIME_DIR");
    if (!was_running_) std::system("systemctl stop user@0.service");
  }

  bool was_running_ = false;
  bool had_runtime_dir_ = false;
  std::string old_runtime_dir_;
};

TEST_F(SdUserManagerTest, StartsLogsAndStopsATransientUserService) {
  auto manager = sd::connect_manager(Scope::User);
  const std::string unit = unique_name("user");
  manager->start_transient(logged_shell(unit, "echo hello-user; echo oops >&2; exec sleep 30"));
  core::UnitState state = manager->query({unit}).at(0);
  EXPECT_TRUE(state.loaded);
  EXPECT_EQ(state.sub_state, "running");
  EXPECT_GT(state.main_pid, 0u);
  const std::string cgroup = core::process_cgroup(state.main_pid);
  EXPECT_THAT(cgroup, ::testing::HasSubstr("user@0.service")) << cgroup;

  sd::Journal journal(Scope::User);
  std::vector<sd::LogLine> lines;
  EXPECT_TRUE(eventually([&] {
    lines = tail_of(journal, unit);
    return has_line(lines, "hello-user", 6) && has_line(lines, "oops", 3);
  })) << "journal lines: "
      << lines.size();
  // The system-scope reader must not see user units.
  sd::Journal system_journal(Scope::System);
  EXPECT_TRUE(tail_of(system_journal, unit).empty());

  manager->stop(unit);
  EXPECT_TRUE(manager->wait_unloaded(unit, 5s));
  EXPECT_FALSE(manager->query({unit}).at(0).loaded);
  manager->reset_failed(unit);
}

TEST(SdConnectTest, ThrowsNamingTheSocketsWhenTheUserManagerIsUnreachable) {
  const char* old = std::getenv("XDG_RUNTIME_DIR");
  const std::string saved = old != nullptr ? old : "";
  setenv("XDG_RUNTIME_DIR", "/nonexistent-runtime-dir", 1);
  try {
    sd::connect_manager(Scope::User);
    ADD_FAILURE() << "expected ManagerError";
  } catch (const core::ManagerError& e) {
    EXPECT_EQ(e.name(), core::kConnectFailed);
    EXPECT_THAT(std::string(e.what()),
                ::testing::HasSubstr("/nonexistent-runtime-dir/systemd/private"))
        << e.what();
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("/nonexistent-runtime-dir/bus"))
        << e.what();
  }
  if (old != nullptr)
    setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
  else
    unsetenv("XDG_RUNTIME_DIR");
}

}  // namespace
}  // namespace pmctl
