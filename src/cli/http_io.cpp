#include "cli/http_io.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/base/files.hpp"
#include "core/fields/parse.hpp"
#include "core/text/http.hpp"
#include "core/text/proc_net.hpp"

namespace pmctl::cli {
namespace {

constexpr int kRequestTimeoutMs = 5000;

/// Appends what `fd` has to `into` (waiting at most the timeout); false at the end or timeout.
bool read_some(int fd, std::string& into) {
  char buf[2048];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, kRequestTimeoutMs) <= 0) return false;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    into.append(buf, static_cast<std::size_t>(n));
    return true;
  }
}

}  // namespace

int listening_socket_from_manager() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  const bool ours = pid && fds && std::to_string(getpid()) == pid && std::string(fds) == "1";
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  return ours ? 3 : -1;
}

void serve_until_idle(int listener, unsigned idle_seconds, const std::function<void(int)>& answer) {
  const timeval timeout{kRequestTimeoutMs / 1000, 0};
  for (;;) {
    pollfd p{listener, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(idle_seconds) * 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;  // idle (or the socket is gone): systemd starts us again on demand
    const int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;  // the client gave up before we took it
    setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    answer(conn);
    close(conn);
  }
}

std::string read_request_head(int fd) {
  std::string head;
  while (!core::request_head_complete(head) && head.size() <= core::kMaxRequestHead)
    if (!read_some(fd, head)) break;
  return head;
}

std::optional<std::string> read_request_body(int fd, const std::string& head, std::size_t max) {
  const std::size_t end = head.find("\r\n\r\n");
  std::string body = end == std::string::npos ? "" : head.substr(end + 4);
  const auto length_text = core::request_header(head, "Content-Length");
  std::size_t length = 0;
  try {
    length = length_text ? core::parse_count(*length_text, "Content-Length") : 0;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (length > max) return std::nullopt;
  while (body.size() < length)
    if (!read_some(fd, body)) return std::nullopt;
  body.resize(length);
  return body;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the peer went away: nothing more to say
    done += static_cast<std::size_t>(n);
  }
}

std::string peer_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
  else if (addr.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
  return text;
}

namespace {

/// `addr` as /proc/net/tcp (IPv4, a v4-mapped IPv6 address included) or tcp6 writes it; the
/// flag says which table.
std::pair<std::string, bool> proc_net_form(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    unsigned char bytes[4];
    std::memcpy(bytes, &in.sin_addr, 4);
    return {core::proc_net_ipv4(bytes, ntohs(in.sin_port)), true};
  }
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
  if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
    unsigned char bytes[4];
    std::memcpy(bytes, in6.sin6_addr.s6_addr + 12, 4);
    return {core::proc_net_ipv4(bytes, ntohs(in6.sin6_port)), true};
  }
  unsigned char bytes[16];
  std::memcpy(bytes, &in6.sin6_addr, 16);
  return {core::proc_net_ipv6(bytes, ntohs(in6.sin6_port)), false};
}

}  // namespace

std::optional<unsigned> peer_owner(int fd) {
  sockaddr_storage ours{}, theirs{};
  socklen_t a = sizeof ours, b = sizeof theirs;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ours), &a) != 0 ||
      getpeername(fd, reinterpret_cast<sockaddr*>(&theirs), &b) != 0)
    return std::nullopt;
  if ((ours.ss_family != AF_INET && ours.ss_family != AF_INET6) ||
      ours.ss_family != theirs.ss_family)
    return std::nullopt;
  const auto [local, v4] = proc_net_form(theirs);  // the client's socket: its local end
  const auto [remote, same] = proc_net_form(ours);
  if (v4 != same) return std::nullopt;
  const auto table = core::read_file_if_any(v4 ? "/proc/net/tcp" : "/proc/net/tcp6");
  if (!table) return std::nullopt;
  return core::socket_owner(*table, local, remote);
}

}  // namespace pmctl::cli
