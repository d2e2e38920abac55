// pmctl's own private-socket client (src/systemd/wire_*.cpp) against the real systemd of the
// sandbox: it must answer exactly what the sd-bus path answers, for units in every state that
// `ls` shows, while the manager sends signals about a crash-looping unit on the same connection.

#include "systemd/wire_query.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "core/types/manager.hpp"
#include "systemd/bus.hpp"
#include "systemd/sd_manager.hpp"
#include "systemd/sd_manager_impl.hpp"

namespace pmctl {
namespace {

using namespace std::chrono_literals;
using core::ExecCommand;
using core::Scope;
using core::UnitSpec;

std::string unique_name(const std::string& base) {
  return "pmctl-wire-" + base + "-" + std::to_string(getpid()) + ".service";
}

UnitSpec shell(const std::string& name, const std::string& script, const std::string& restart,
               std::uint64_t restart_usec = 100000) {
  UnitSpec spec;
  spec.name = name;
  spec.properties = {
      {"Type", std::string("exec")},
      {"ExecStartEx",
       std::vector<ExecCommand>{{"/bin/sh", {"/bin/sh", "-c", script}, {"no-env-expand"}}}},
      {"Restart", restart},
      {"RestartUSec", restart_usec},
  };
  return spec;
}

class WireQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!sd::wire::kWireClientAvailable) GTEST_SKIP() << "big-endian host: pmctl reads over sd-bus";
    sd_ = sd::make_manager(sd::connect(Scope::System));
  }

  void TearDown() override {
    for (const auto& unit : created_) {
      sd_->stop(unit);
      sd_->reset_failed(unit);
    }
  }

  void start(const UnitSpec& spec) {
    created_.push_back(spec.name);
    try {
      sd_->start_transient(spec);
    } catch (const core::ManagerError&) {
      // A unit whose process fails at once may fail its start job; its state is what we want.
    }
  }

  std::unique_ptr<core::Manager> sd_;
  std::vector<std::string> created_;
};

void expect_same(const core::UnitState& wire, const core::UnitState& bus) {
  EXPECT_EQ(wire.name, bus.name);
  EXPECT_EQ(wire.loaded, bus.loaded) << wire.name;
  EXPECT_EQ(wire.active_state, bus.active_state) << wire.name;
  EXPECT_EQ(wire.sub_state, bus.sub_state) << wire.name;
  EXPECT_EQ(wire.result, bus.result) << wire.name;
  EXPECT_EQ(wire.main_pid, bus.main_pid) << wire.name;
  EXPECT_EQ(wire.n_restarts, bus.n_restarts) << wire.name;
  EXPECT_EQ(wire.exec_main_code, bus.exec_main_code) << wire.name;
  EXPECT_EQ(wire.exec_main_status, bus.exec_main_status) << wire.name;
  EXPECT_EQ(wire.next_elapse_usec, bus.next_elapse_usec) << wire.name;
}

TEST_F(WireQueryTest, AnswersWhatSdBusAnswersForEveryState) {
  const std::string running = unique_name("running"), failed = unique_name("failed"),
                    waiting = unique_name("waiting"), killed = unique_name("killed"),
                    looping = unique_name("looping"), unknown = unique_name("unknown");
  start(shell(running, "exec sleep 60", "always"));
  start(shell(failed, "exit 3", "no"));
  start(shell(waiting, "exit 7", "always", 60000000));  // waits a minute to restart
  start(shell(killed, "kill -9 $$", "no"));
  // Restarts every 50 ms: the manager keeps sending signals about it on our connection.
  start(shell(looping, "sleep 0.05; exit 1", "always", 50000));
  std::this_thread::sleep_for(400ms);

  const std::vector<std::string> units = {running, failed, waiting, killed, unknown, running};
  auto client = sd::wire::Client::connect(sd::private_socket(Scope::System));
  ASSERT_TRUE(client.has_value());
  for (bool main_pid : {true, false}) {
    const auto wire = sd::wire::query(*client, units, main_pid);
    const auto bus = sd_->query(units, main_pid);
    ASSERT_EQ(wire.size(), units.size());
    for (std::size_t i = 0; i < units.size(); ++i) expect_same(wire[i], bus[i]);
  }
  const auto states = sd::wire::query(*client, units, true);
  EXPECT_EQ(states[0].sub_state, "running");
  EXPECT_GT(states[0].main_pid, 0u);
  EXPECT_EQ(states[1].result, "exit-code");
  EXPECT_EQ(states[1].exec_main_code, 1);  // CLD_EXITED
  EXPECT_EQ(states[1].exec_main_status, 3);
  EXPECT_EQ(states[2].sub_state, "auto-restart");
  EXPECT_EQ(states[2].exec_main_status, 7);
  EXPECT_EQ(states[3].result, "signal");
  EXPECT_EQ(states[3].exec_main_code, 2);  // CLD_KILLED
  EXPECT_EQ(states[3].exec_main_status, SIGKILL);
  EXPECT_FALSE(states[4].loaded);
  EXPECT_EQ(states[5].main_pid, states[0].main_pid);

  // The crash loop's restart counter, read many times over one connection full of signals.
  std::uint32_t last = 0;
  for (int i = 0; i < 20; ++i) {
    const auto loop = sd::wire::query(*client, {looping}, true).at(0);
    EXPECT_TRUE(loop.loaded);
    EXPECT_GE(loop.n_restarts, last);
    last = loop.n_restarts;
    std::this_thread::sleep_for(30ms);
  }
  EXPECT_GE(last, 2u);
}

TEST_F(WireQueryTest, ACallRightAfterConnectingIsAnsweredAtOnce) {
  // systemd leaves a message that arrives together with the end of the authentication
  // unprocessed: the client must wait for the OK before its first call. (Without that wait, a
  // lone first call sent at once got no answer: 20 of 20 timed out here.) Twenty fresh
  // connections, each with one call sent at once.
  const sd::wire::Call ping{"org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                            "org.freedesktop.DBus.Peer", "Ping", ""};
  for (int i = 0; i < 20; ++i) {
    auto client = sd::wire::Client::connect(sd::private_socket(Scope::System));
    ASSERT_TRUE(client.has_value());
    EXPECT_NO_THROW(client->call_all({{ping, ""}}, 1s)) << "connection " << i;
  }
}

TEST_F(WireQueryTest, ConnectManagerReadsOverTheWireAndChangesOverSdBus) {
  // connect_manager's manager mixes both connections: a unit it starts is seen by its query.
  auto manager = sd::connect_manager(Scope::System);
  const std::string unit = unique_name("mixed");
  created_.push_back(unit);
  manager->start_transient(shell(unit, "exec sleep 60", "no"));
  const auto state = manager->query({unit}).at(0);
  EXPECT_EQ(state.sub_state, "running");
  EXPECT_GT(state.main_pid, 0u);
  manager->stop(unit);
  // The stop job is done when stop() returns; the next read over the other connection sees it.
  EXPECT_NE(manager->query({unit}).at(0).sub_state, "running");
}

TEST_F(WireQueryTest, ASocketThatIsNotAManagerIsAWireError) {
  // A listener that answers the authentication with nonsense.
  const std::string path = "/run/pmctl-wire-test-" + std::to_string(getpid()) + ".sock";
  const int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  std::thread server([&] {
    const int peer = accept(listener, nullptr, nullptr);
    const char reply[] = "REJECTED EXTERNAL\r\n";
    (void)!write(peer, reply, sizeof reply - 1);
    std::this_thread::sleep_for(200ms);
    close(peer);
  });
  auto client = sd::wire::Client::connect(path);
  ASSERT_TRUE(client.has_value());
  EXPECT_THROW(sd::wire::query(*client, {"x.service"}, true), sd::wire::WireError);
  server.join();
  close(listener);
  unlink(path.c_str());
  EXPECT_FALSE(sd::wire::Client::connect(path).has_value());  // nothing listens any more
}

// A timer's next elapse (NextElapseUSecRealtime, the one 64-bit value read; asked of .timer
// units only), as `show` prints it for a cron_restart timer: the same on both paths, and what
// systemctl says.
TEST_F(WireQueryTest, ATimersNextElapseIsWhatSdBusAndSystemctlSay) {
  const std::string service = unique_name("timer");
  const std::string timer = service.substr(0, service.size() - 8) + ".timer";
  UnitSpec spec{timer, {{"OnCalendar", std::string("*-*-* 03:00:00")}}, {}};
  spec.aux.push_back(shell(service, "true", "no"));
  start(spec);
  const std::vector<std::string> units = {timer, service};
  auto client = sd::wire::Client::connect(sd::private_socket(Scope::System));
  ASSERT_TRUE(client.has_value());
  const auto wire = sd::wire::query(*client, units, false);
  const auto bus = sd_->query(units, false);
  for (std::size_t i = 0; i < units.size(); ++i) expect_same(wire[i], bus[i]);
  EXPECT_EQ(wire[1].next_elapse_usec, 0u);  // a service has none
  const std::uint64_t next = wire[0].next_elapse_usec;
  ASSERT_GT(next, 0u);
  const std::time_t secs = static_cast<std::time_t>(next / 1000000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  EXPECT_EQ(tm.tm_hour, 3);
  EXPECT_EQ(tm.tm_min, 0);
  const std::time_t now = std::time(nullptr);
  EXPECT_GT(secs, now);
  EXPECT_LE(secs, now + 24 * 3600);
}

}  // namespace
}  // namespace pmctl
