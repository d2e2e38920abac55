#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

namespace pmctl::balancer {

/// Where a backend listens, ready for connect(2).
struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const { return storage.ss_family; }
};

/// One line of the backend file.
struct BackendSpec {
  std::string name;  ///< The address as written (`tcp:127.0.0.1:3001`): the backend's identity.
  Address address;
  bool drain = false;  ///< Draining: keeps its open connections, gets no new ones.
};

/// Parses `tcp:IPV4:PORT`, `tcp:[IPV6]:PORT` or `unix:/path` (`unix:@name`: abstract).
Address parse_address(std::string_view text);

/// Parses a backend file: one backend per line, optionally followed by the word `drain`; blank
/// lines and lines starting with '#' are ignored. Throws Error naming the line of a bad entry.
std::vector<BackendSpec> parse_backend_file(std::string_view text);

/// Reads and parses the file at `path`.
std::vector<BackendSpec> read_backend_file(const std::string& path);

}  // namespace pmctl::balancer
