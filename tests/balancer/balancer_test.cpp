// Runs the real pmctl-balancer without systemd: the test plays systemd's part (a listening socket
// at fd 3 with LISTEN_FDS/LISTEN_PID, a NOTIFY_SOCKET) and starts backends as child processes,
// each an echo server that first says its name. No root needed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/types/unique_fd.hpp"

namespace {

using pmctl::core::UniqueFd;
using namespace std::chrono_literals;

UniqueFd listen_tcp(int& port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return UniqueFd();
  socklen_t len = sizeof a;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  listen(fd.get(), 256);
  return fd;
}

UniqueFd connect_tcp(int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return UniqueFd();
  return fd;
}

/// Reads up to `want` bytes or EOF, waiting at most `timeout` in all.
std::string read_some(int fd, std::size_t want, std::chrono::milliseconds timeout = 3s) {
  std::string out;
  auto end = std::chrono::steady_clock::now() + timeout;
  while (out.size() < want) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, std::min(sizeof buf, want - out.size()));
    if (n <= 0) break;
    out.append(buf, n);
  }
  return out;
}

/// Each backend answers a new connection with its name and a newline, then echoes until EOF.
void serve_echo(int listen_fd, char name) {
  for (;;) {
    int c = accept(listen_fd, nullptr, nullptr);
    if (c < 0) continue;
    std::thread([c, name] {
      char hello[2] = {name, '\n'};
      (void)!write(c, hello, 2);
      char buf[4096];
      ssize_t n;
      while ((n = read(c, buf, sizeof buf)) > 0) (void)!write(c, buf, n);
      close(c);
    }).detach();
  }
}

/// A request/response backend, as an HTTP server with keep-alive is: no greeting; each line
/// "x\n" is answered with "<name>:x\n" on the same connection.
void serve_answers(int listen_fd, char name) {
  for (;;) {
    int c = accept(listen_fd, nullptr, nullptr);
    if (c < 0) continue;
    std::thread([c, name] {
      std::string line;
      char ch;
      while (read(c, &ch, 1) == 1) {
        line += ch;
        if (ch != '\n') continue;
        const std::string answer = std::string(1, name) + ":" + line;
        (void)!write(c, answer.data(), answer.size());
        line.clear();
      }
      close(c);
    }).detach();
  }
}

pid_t start_backend(int& port, char name, bool answering = false) {
  UniqueFd fd = listen_tcp(port);
  pid_t pid = fork();
  if (pid == 0) {
    if (answering)
      serve_answers(fd.get(), name);
    else
      serve_echo(fd.get(), name);
    _exit(0);
  }
  return pid;
}

class BalancerTest : public testing::Test {
 protected:
  void TearDown() override {
    if (balancer_ > 0) kill(balancer_, SIGKILL), waitpid(balancer_, nullptr, 0);
    for (auto& [name, b] : backends_) stop_backend(name);
    unlink(backends_file_.c_str());
  }

  void add_backend(char name, bool answering = false) {
    Backend& b = backends_[name];
    b.pid = start_backend(b.port, name, answering);
  }
  /// Answering backends A and B behind a balancer; `fd` a client connection on A that answered
  /// once before and once after A was drained (open connections stay where they are).
  void open_on_drained_a(UniqueFd& fd) {
    add_backend('A', true);
    add_backend('B', true);
    start_balancer({});
    fd = connect_tcp(port_);
    ASSERT_EQ(ask(fd.get(), "1\n"), "A:1\n");
    reload("A");
    ASSERT_EQ(ask(fd.get(), "2\n"), "A:2\n");
  }
  /// One line through an open client connection; the answer, or what came before EOF.
  static std::string ask(int fd, const std::string& line) {
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      return "write failed";
    return read_some(fd, line.size() + 2);
  }
  void stop_backend(char name) {
    Backend& b = backends_[name];
    if (b.pid > 0) kill(b.pid, SIGKILL), waitpid(b.pid, nullptr, 0);
    b.pid = 0;
  }
  void write_backends(const std::string& drained = "") {
    std::ofstream f(backends_file_);
    for (auto& [name, b] : backends_)
      f << "tcp:127.0.0.1:" << b.port << (drained.find(name) != std::string::npos ? " drain" : "")
        << "\n";
  }

  void start_balancer(std::vector<std::string> flags) {
    write_backends();
    port_ = 0;
    UniqueFd listener = listen_tcp(port_);
    notify_ = bind_notify_socket();
    flags.insert(flags.begin(), {PMCTL_BALANCER, "--backends", backends_file_});
    balancer_ = fork();
    if (balancer_ == 0) exec_balancer(listener.get(), flags);
    EXPECT_NE(wait_notify("READY=1"), "");
  }

  [[noreturn]] void exec_balancer(int listener, const std::vector<std::string>& flags) {
    // dup2 clears close-on-exec on fd 3, except when the listener is fd 3 already.
    if (listener == 3)
      fcntl(3, F_SETFD, 0);
    else
      dup2(listener, 3);
    setenv("LISTEN_FDS", "1", 1);
    setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
    setenv("NOTIFY_SOCKET", notify_name_.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& f : flags) argv.push_back(const_cast<char*>(f.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }

  UniqueFd bind_notify_socket() {
    notify_name_ = "@pmctl-balancer-test-" + std::to_string(getpid()) + "-" +
                   testing::UnitTest::GetInstance()->current_test_info()->name();
    UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path + 1, notify_name_.data() + 1, notify_name_.size() - 1);
    bind(fd.get(), reinterpret_cast<sockaddr*>(&a),
         offsetof(sockaddr_un, sun_path) + notify_name_.size());
    return fd;
  }

  /// Waits for a notification containing `state`; returns it, or "" after 5 s.
  std::string wait_notify(const std::string& state) {
    for (;;) {
      pollfd p{notify_.get(), POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return "";
      char buf[256];
      ssize_t n = recv(notify_.get(), buf, sizeof buf, 0);
      std::string got(buf, n > 0 ? n : 0);
      if (got.find(state) != std::string::npos) return got;
    }
  }

  /// Connects through the balancer and returns the socket and the name of the backend.
  std::pair<UniqueFd, std::string> open_client() {
    UniqueFd fd = connect_tcp(port_);
    std::string hello = fd.get() < 0 ? "" : read_some(fd.get(), 2);
    return {std::move(fd), hello.size() == 2 ? hello.substr(0, 1) : ""};
  }
  std::string one_request() { return open_client().second; }

  void reload(const std::string& drained) {
    write_backends(drained);
    kill(balancer_, SIGHUP);
    EXPECT_NE(wait_notify("READY=1"), "");
  }

  int exit_status(std::chrono::milliseconds within) {
    auto end = std::chrono::steady_clock::now() + within;
    int status = 0;
    while (std::chrono::steady_clock::now() < end) {
      if (waitpid(balancer_, &status, WNOHANG) == balancer_) {
        balancer_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

  struct Backend {
    int port = 0;
    pid_t pid = 0;
  };
  std::map<char, Backend> backends_;
  std::string backends_file_ =
      testing::TempDir() + "pmctl-balancer-backends-" + std::to_string(getpid());
  std::string notify_name_;
  UniqueFd notify_;
  int port_ = 0;
  pid_t balancer_ = 0;
};

TEST_F(BalancerTest, SpreadsConnectionsRoundRobin) {
  add_backend('A');
  add_backend('B');
  start_balancer({"--policy", "rr"});
  std::string seen;
  for (int i = 0; i < 6; ++i) seen += one_request();
  EXPECT_EQ(seen, "ABABAB");
}

TEST_F(BalancerTest, ForwardsBothWaysAndPassesAHalfClose) {
  add_backend('A');
  start_balancer({});
  auto [fd, name] = open_client();
  ASSERT_EQ(name, "A");
  std::string big(200000, 'x');
  std::thread writer([&, fd = fd.get()] {
    (void)!write(fd, big.data(), big.size());
    shutdown(fd, SHUT_WR);
  });
  std::string echoed = read_some(fd.get(), big.size() + 1);
  writer.join();
  EXPECT_EQ(echoed, big);  // and then EOF: read_some stopped at the size, check EOF next
  EXPECT_EQ(read_some(fd.get(), 1), "");
}

TEST_F(BalancerTest, KeepsOrderWhenBothDirectionsBackUp) {
  // 4 MB of a non-repeating pattern, and a client that starts reading only after 300 ms: the
  // echo server stops reading when its replies are not taken, so both directions of the
  // connection back up into their pipes and must come out again in order.
  add_backend('A');
  start_balancer({});
  auto [fd, name] = open_client();
  ASSERT_EQ(name, "A");
  std::string big(4 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919u) >> 5);
  std::thread writer([&, fd = fd.get()] {
    for (std::size_t done = 0; done < big.size();) {
      ssize_t n = write(fd, big.data() + done, big.size() - done);
      if (n <= 0) break;
      done += n;
    }
    shutdown(fd, SHUT_WR);
  });
  std::this_thread::sleep_for(300ms);
  std::string echoed = read_some(fd.get(), big.size() + 1, 20s);
  writer.join();
  ASSERT_EQ(echoed.size(), big.size());
  EXPECT_TRUE(echoed == big) << "bytes out of order";
}

TEST_F(BalancerTest, LeastConnectionsPicksTheIdleBackend) {
  add_backend('A');
  add_backend('B');
  start_balancer({"--policy", "leastconn"});
  auto first = open_client();
  auto second = open_client();
  ASSERT_NE(first.second, second.second);
  second.first.reset();
  std::this_thread::sleep_for(200ms);  // the balancer sees the close
  // Round-robin would now go back to the first backend; the second one is idle.
  auto third = open_client();
  EXPECT_EQ(third.second, second.second);
}

TEST_F(BalancerTest, AKilledBackendCostsNoClientConnection) {
  add_backend('A');
  add_backend('B');
  start_balancer({"--down-time", "0.5"});
  std::string seen = one_request();
  seen += one_request();
  EXPECT_EQ(seen, "AB");
  stop_backend('A');
  seen.clear();
  for (int i = 0; i < 10; ++i) seen += one_request();
  EXPECT_EQ(seen, "BBBBBBBBBB");
  // Back on the same port, it gets its share again once its down time is over.
  backends_['A'].pid = start_backend(backends_['A'].port, 'A');
  std::this_thread::sleep_for(600ms);
  seen.clear();
  for (int i = 0; i < 4; ++i) seen += one_request();
  EXPECT_THAT(seen, ::testing::HasSubstr("A")) << seen;
  EXPECT_EQ(seen.size(), 4u);
}

TEST_F(BalancerTest, ADrainedBackendGetsNoNewConnectionsButKeepsItsOpenOne) {
  add_backend('A');
  add_backend('B');
  start_balancer({});
  auto open = open_client();
  ASSERT_EQ(open.second, "A");
  reload("A");
  std::string seen;
  for (int i = 0; i < 4; ++i) seen += one_request();
  EXPECT_EQ(seen, "BBBB");
  ASSERT_EQ(write(open.first.get(), "still\n", 6), 6);
  EXPECT_EQ(read_some(open.first.get(), 6), "still\n");
  reload("");
  seen.clear();
  for (int i = 0; i < 2; ++i) seen += one_request();
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_THAT(seen, ::testing::HasSubstr("A"));
}

// Rehoming: what a reload does to a kept-alive connection. The old instance is drained, then
// stopped: it closes the connections it holds between two answers. The client's connection is
// not closed with it; its next request goes to another backend on the same connection.
TEST_F(BalancerTest, AClientOfADrainedBackendThatClosesMovesToAnotherOnItsNextRequest) {
  UniqueFd fd;
  ASSERT_NO_FATAL_FAILURE(open_on_drained_a(fd));
  stop_backend('A');  // it closes every connection it had
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(ask(fd.get(), "3\n"), "B:3\n");
  EXPECT_EQ(ask(fd.get(), "4\n"), "B:4\n");
}

// The request was on its way to the drained backend when it went: it is sent again to another.
TEST_F(BalancerTest, ARequestADrainedBackendNeverAnsweredGoesToAnother) {
  UniqueFd fd;
  ASSERT_NO_FATAL_FAILURE(open_on_drained_a(fd));
  kill(backends_['A'].pid, SIGSTOP);  // it reads nothing more (once the signal has landed)
  std::this_thread::sleep_for(50ms);
  ASSERT_EQ(write(fd.get(), "3\n", 2), 2);
  std::this_thread::sleep_for(50ms);  // "3" waits, unread, in A's socket
  stop_backend('A');                  // closed with unread data: a reset
  EXPECT_EQ(read_some(fd.get(), 4), "B:3\n");
}

// Rehoming only applies to backends going away: a running one that closes closes the client's
// connection, and a drained one's close reaches a client that asks nothing within ~0.2 s.
TEST_F(BalancerTest, AClosePassesOnWhenTheBackendIsNotGoingAwayOrTheClientIsSilent) {
  add_backend('A', true);
  add_backend('B', true);
  start_balancer({});
  UniqueFd first = connect_tcp(port_);
  ASSERT_EQ(ask(first.get(), "1\n"), "A:1\n");
  UniqueFd second = connect_tcp(port_);
  ASSERT_EQ(ask(second.get(), "1\n"), "B:1\n");
  stop_backend('B');  // not drained: the close reaches the client at once
  EXPECT_EQ(read_some(second.get(), 1, 1s), "");
  reload("A");
  ASSERT_EQ(ask(first.get(), "2\n"), "A:2\n");
  const auto before = std::chrono::steady_clock::now();
  stop_backend('A');
  EXPECT_EQ(read_some(first.get(), 1, 2s), "");  // EOF, after the balancer waited for a request
  EXPECT_LT(std::chrono::steady_clock::now() - before, 500ms);
}

TEST_F(BalancerTest, HoldsTheConnectionCap) {
  add_backend('A');
  start_balancer({"--max-connections", "2"});
  auto c1 = open_client();
  auto c2 = open_client();
  ASSERT_EQ(c1.second + c2.second, "AA");
  UniqueFd third = connect_tcp(port_);  // the kernel queues it; the balancer must not take it
  EXPECT_EQ(read_some(third.get(), 2, 300ms), "");
  c1.first.reset();
  EXPECT_EQ(read_some(third.get(), 2), "A\n");
}

TEST_F(BalancerTest, SigtermLetsAnOpenConnectionFinishThenExitsZero) {
  add_backend('A');
  start_balancer({"--stop-timeout", "10"});
  auto open = open_client();
  ASSERT_EQ(open.second, "A");
  kill(balancer_, SIGTERM);
  EXPECT_NE(wait_notify("STOPPING=1"), "");
  ASSERT_EQ(write(open.first.get(), "bye\n", 4), 4);
  EXPECT_EQ(read_some(open.first.get(), 4), "bye\n");
  EXPECT_EQ(exit_status(100ms), -1);  // still serving the open connection
  shutdown(open.first.get(), SHUT_WR);
  EXPECT_EQ(read_some(open.first.get(), 1), "");
  EXPECT_EQ(exit_status(3s), 0);
}

TEST_F(BalancerTest, SigtermGivesUpOnOpenConnectionsAfterTheStopTimeout) {
  add_backend('A');
  start_balancer({"--stop-timeout", "0.3"});
  auto open = open_client();
  kill(balancer_, SIGTERM);
  EXPECT_EQ(exit_status(3s), 0);
}

TEST_F(BalancerTest, StaysUnderFourMegabytesWithAHundredConnections) {
  add_backend('A');
  add_backend('B');
  start_balancer({});
  std::vector<UniqueFd> clients;
  std::string payload(8192, 'p');
  for (int i = 0; i < 100; ++i) {
    auto c = open_client();
    ASSERT_NE(c.second, "") << "connection " << i;
    ASSERT_EQ(write(c.first.get(), payload.data(), payload.size()), ssize_t(payload.size()));
    ASSERT_EQ(read_some(c.first.get(), payload.size()), payload);
    clients.push_back(std::move(c.first));
  }
  std::ifstream status("/proc/" + std::to_string(balancer_) + "/status");
  long rss_kb = -1;
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) rss_kb = std::stol(line.substr(6));
  RecordProperty("VmRSS_kB", std::to_string(rss_kb));
  std::printf("balancer VmRSS with 100 open connections: %ld kB\n", rss_kb);
  EXPECT_GT(rss_kb, 0);
  EXPECT_LE(rss_kb, 4096);
}

}  // namespace
