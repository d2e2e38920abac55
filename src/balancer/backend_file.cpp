#include "balancer/backend_file.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>

#include "balancer/error.hpp"
#include "core/types/unique_fd.hpp"

namespace pmctl::balancer {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

in_port_t parse_port(std::string_view text, std::string_view whole) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port == 0 ||
      port > 65535)
    throw Error("bad port in " + quoted(whole) + ": expected 1-65535");
  return htons(static_cast<in_port_t>(port));
}

Address parse_tcp(std::string_view rest, std::string_view whole) {
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos)
    throw Error(quoted(whole) + " has no port: use tcp:HOST:PORT");
  std::string host(rest.substr(0, colon));
  in_port_t port = parse_port(rest.substr(colon + 1), whole);
  Address a;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = port;
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &in6->sin6_addr) == 1) {
      a.length = sizeof(sockaddr_in6);
      return a;
    }
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&a.storage);
    in4->sin_family = AF_INET;
    in4->sin_port = port;
    if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) == 1) {
      a.length = sizeof(sockaddr_in);
      return a;
    }
  }
  throw Error("bad host in " + quoted(whole) + ": expected a numeric IPv4 or [IPv6] address");
}

Address parse_unix(std::string_view path, std::string_view whole) {
  Address a;
  auto* un = reinterpret_cast<sockaddr_un*>(&a.storage);
  un->sun_family = AF_UNIX;
  if (path.empty() || (path[0] != '/' && path[0] != '@'))
    throw Error(quoted(whole) + ": a unix socket path must be absolute (or start with '@')");
  if (path.size() >= sizeof(un->sun_path)) throw Error(quoted(whole) + ": the path is too long");
  std::memcpy(un->sun_path, path.data(), path.size());
  bool abstract = path[0] == '@';
  if (abstract) un->sun_path[0] = '\0';
  a.length = offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1);
  return a;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    std::size_t start = line.find_first_not_of(" \t\r", i);
    if (start == std::string_view::npos) break;
    std::size_t end = line.find_first_of(" \t\r", start);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    i = end;
  }
  return out;
}

BackendSpec parse_line(const std::vector<std::string_view>& w) {
  if (w.size() > 2 || (w.size() == 2 && w[1] != "drain"))
    throw Error("expected 'ADDRESS' or 'ADDRESS drain', got " + quoted(w.back()));
  return BackendSpec{std::string(w[0]), parse_address(w[0]), w.size() == 2};
}

}  // namespace

Address parse_address(std::string_view text) {
  if (text.starts_with("tcp:")) return parse_tcp(text.substr(4), text);
  if (text.starts_with("unix:")) return parse_unix(text.substr(5), text);
  throw Error("unknown backend address " + quoted(text) + ": use tcp:HOST:PORT or unix:/PATH");
}

std::vector<BackendSpec> parse_backend_file(std::string_view text) {
  std::vector<BackendSpec> out;
  int number = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    auto w = words(line);
    if (w.empty() || w[0].starts_with('#')) continue;
    try {
      out.push_back(parse_line(w));
    } catch (const Error& e) {
      throw Error("line " + std::to_string(number) + ": " + e.what());
    }
  }
  return out;
}

std::vector<BackendSpec> read_backend_file(const std::string& path) {
  // Plain read(2), not iostreams: the balancer stays small.
  core::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text;
  char chunk[4096];
  ssize_t n = 0;
  while (fd.get() >= 0 && (n = read(fd.get(), chunk, sizeof chunk)) > 0) text.append(chunk, n);
  if (fd.get() < 0 || n < 0)
    throw Error("cannot read backend file " + quoted(path) + ": " + std::strerror(errno));
  try {
    return parse_backend_file(text);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace pmctl::balancer
