#include "core/cluster/cluster_probes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/cluster/cluster.hpp"
#include "core/types/error.hpp"
#include "core/types/unique_fd.hpp"

namespace pmctl::core {
namespace {

sockaddr_in ipv4(const std::string& address, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  return sa;
}

bool connect_within(int fd, const sockaddr* sa, socklen_t length,
                    std::chrono::milliseconds timeout) {
  if (connect(fd, sa, length) == 0) return true;
  if (errno != EINPROGRESS && errno != EAGAIN) return false;
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  int error = 0;
  socklen_t len = sizeof error;
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
}

}  // namespace

// SO_REUSEADDR as systemd sets it on its sockets, so that connections of an earlier run lingering
// in TIME_WAIT do not count as "in use"; a listening socket still does.
bool tcp_port_free(const std::string& address, std::uint16_t port) {
  const UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return false;
  const int one = 1;
  setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in sa = ipv4(address, port);
  return bind(s.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0 &&
         listen(s.get(), 1) == 0;
}

unsigned unprivileged_port_start() {
  std::ifstream in("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  unsigned port = 1024;
  if (!(in >> port)) return 1024;
  return port;
}

unsigned online_cpus() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

bool endpoint_accepts(const std::string& endpoint, std::chrono::milliseconds timeout) {
  const std::string path = unix_socket_path(endpoint);
  if (!path.empty()) {
    const UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (s.get() < 0 || path.size() >= sizeof sa.sun_path) return false;
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    return connect_within(s.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa, timeout);
  }
  const std::string port = port_env_value(endpoint);
  if (port.empty() || port == endpoint) return false;
  const UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.get() < 0) return false;
  const sockaddr_in sa = ipv4("127.0.0.1", static_cast<std::uint16_t>(std::stoi(port)));
  return connect_within(s.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa, timeout);
}

std::string default_runtime_dir(Scope scope) {
  if (const char* dir = std::getenv("PMCTL_RUNTIME_DIR"); dir && *dir) return dir;
  if (scope == Scope::System) return "/run/pmctl";
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (!xdg || xdg[0] != '/')
    throw Error("cannot find a runtime directory: $XDG_RUNTIME_DIR is not set",
                "log in through a session that sets it (or set PMCTL_RUNTIME_DIR)");
  return std::string(xdg) + "/pmctl";
}

std::string runtime_unit_dir(Scope scope) {
  if (scope == Scope::System) return "/run/systemd/system";
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (!xdg || xdg[0] != '/')
    throw Error("cannot find the user manager's unit directory: $XDG_RUNTIME_DIR is not set",
                "log in through a session that sets it");
  return std::string(xdg) + "/systemd/user";
}

}  // namespace pmctl::core
