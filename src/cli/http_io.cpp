#include "cli/http_io.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/fields/parse.hpp"
#include "core/text/http.hpp"

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

}  // namespace pmctl::cli
