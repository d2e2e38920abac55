#include "core/text/proc_net.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

namespace pmctl::core {
namespace {

std::string words(const unsigned char* bytes, std::size_t count, std::uint16_t port) {
  std::string out;
  char buf[16];
  for (std::size_t i = 0; i < count; i += 4) {
    std::uint32_t word = 0;
    std::memcpy(&word, bytes + i, 4);
    std::snprintf(buf, sizeof buf, "%08X", word);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, ":%04X", port);
  return out + buf;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::string proc_net_ipv4(const unsigned char (&addr)[4], std::uint16_t port) {
  return words(addr, 4, port);
}

std::string proc_net_ipv6(const unsigned char (&addr)[16], std::uint16_t port) {
  return words(addr, 16, port);
}

std::optional<unsigned> socket_owner(std::string_view table, std::string_view local,
                                     std::string_view remote) {
  while (!table.empty()) {
    const std::size_t end = table.find('\n');
    const auto f = fields(table.substr(0, end));
    // sl local rem st queues tr:when retrnsmt uid ...
    if (f.size() > 7 && f[1] == local && f[2] == remote) {
      unsigned uid = 0;
      const auto [p, ec] = std::from_chars(f[7].data(), f[7].data() + f[7].size(), uid);
      if (ec == std::errc() && p == f[7].data() + f[7].size()) return uid;
    }
    if (end == std::string_view::npos) break;
    table.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace pmctl::core
