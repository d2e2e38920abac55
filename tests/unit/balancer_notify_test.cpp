#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "balancer/notify.hpp"
#include "core/types/unique_fd.hpp"

namespace pmctl::balancer {
namespace {

/// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& name) : fd_(socket(AF_UNIX, SOCK_DGRAM, 0)) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, name.data(), name.size());
    bool abstract = name[0] == '@';
    if (abstract) a.sun_path[0] = '\0';
    socklen_t len = offsetof(sockaddr_un, sun_path) + name.size() + (abstract ? 0 : 1);
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), len), 0) << std::strerror(errno);
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~NotifySocket() { unsetenv("NOTIFY_SOCKET"); }
  std::string receive() {
    char buf[256];
    ssize_t n = recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    return n < 0 ? "" : std::string(buf, n);
  }

 private:
  core::UniqueFd fd_;
};

TEST(BalancerNotify, SendsTheStateToAPathSocket) {
  std::string path = testing::TempDir() + "notify-" + std::to_string(getpid());
  unlink(path.c_str());
  NotifySocket s(path);
  EXPECT_EQ(notify("READY=1"), 0);
  EXPECT_EQ(s.receive(), "READY=1");
  unlink(path.c_str());
}

TEST(BalancerNotify, SendsTheStateToAnAbstractSocket) {
  NotifySocket s("@pmctl-notify-test-" + std::to_string(getpid()));
  EXPECT_EQ(notify("STOPPING=1"), 0);
  EXPECT_EQ(s.receive(), "STOPPING=1");
}

TEST(BalancerNotify, DoesNothingWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(notify("READY=1"), 0);
}

TEST(BalancerNotify, ReportsAnAbsentSocket) {
  setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
  EXPECT_EQ(notify("READY=1"), -ENOENT);
  unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace pmctl::balancer
