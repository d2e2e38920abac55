#pragma once
// Who owns the other end of a TCP connection on this host: the kernel's /proc/net/tcp and
// /proc/net/tcp6 list every socket with its local and remote address and its owner's uid (what
// identd answers from). The web dashboard asks it of a loopback client, so that only root and
// the manager's own user are trusted without a token. Pure: the caller reads the table.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

/// An address as /proc/net/tcp prints it: the address's bytes as the kernel holds them, read as
/// 32-bit words in this host's byte order (%08X each), a colon, the port (%04X).
std::string proc_net_ipv4(const unsigned char (&addr)[4], std::uint16_t port);
std::string proc_net_ipv6(const unsigned char (&addr)[16], std::uint16_t port);

/// The uid of the socket in `table` (the text of /proc/net/tcp or tcp6) whose local address is
/// `local` and remote address `remote`, both as proc_net_* writes them; nullopt when none.
std::optional<unsigned> socket_owner(std::string_view table, std::string_view local,
                                     std::string_view remote);

}  // namespace pmctl::core
