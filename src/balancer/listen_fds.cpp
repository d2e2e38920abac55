#include "balancer/listen_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "balancer/error.hpp"

namespace pmctl::balancer {
namespace {

long parse_number(std::string_view name, const char* text) {
  std::string_view s(text);
  long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < 0)
    throw Error(std::string(name) + "='" + text + "' is not a non-negative number");
  return value;
}

void set_fd_flags(int fd) {
  int fd_flags = fcntl(fd, F_GETFD);
  int fl_flags = fcntl(fd, F_GETFL);
  if (fd_flags < 0 || fl_flags < 0)
    throw Error("LISTEN_FDS names fd " + std::to_string(fd) + ", which is not open");
  fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC);
  fcntl(fd, F_SETFL, fl_flags | O_NONBLOCK);
}

}  // namespace

int parse_listen_fds(const char* listen_pid, const char* listen_fds, pid_t self) {
  if (listen_pid == nullptr) return 0;
  // sd_listen_fds() checks the pid first: a variable meant for another process is not ours to
  // judge, even when LISTEN_FDS is malformed.
  if (parse_number("LISTEN_PID", listen_pid) != self) return 0;
  if (listen_fds == nullptr) return 0;
  long n = parse_number("LISTEN_FDS", listen_fds);
  if (n > 65536) throw Error(std::string("LISTEN_FDS='") + listen_fds + "' is too large");
  return static_cast<int>(n);
}

int take_listen_fds() {
  int n = parse_listen_fds(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"), getpid());
  // Unset them, as sd_listen_fds(unset_environment=1) does: nothing we start may inherit them.
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  for (int fd = kListenFdsStart; fd < kListenFdsStart + n; ++fd) set_fd_flags(fd);
  return n;
}

}  // namespace pmctl::balancer
