#pragma once
// The socket side of `pmctl metrics serve` and `pmctl web serve`: systemd hands each a connected
// socket as stdin and stdout (Accept=yes); they read one request, write one answer, and exit.

#include <optional>
#include <string>

namespace pmctl::cli {

/// The request head from `fd`: until the blank line, the peer's end, core::kMaxRequestHead
/// bytes, or a 5 s timeout. Bytes read past the head (the start of a body) stay at its end.
std::string read_request_head(int fd);

/// The body of a request whose head (with any body bytes read with it) is `head`: as many bytes
/// as Content-Length says, read within 5 s; nullopt when it is longer than `max` or incomplete.
std::optional<std::string> read_request_body(int fd, const std::string& head, std::size_t max);

/// Writes all of `text` (a peer that went away ends it quietly).
void write_all(int fd, const std::string& text);

/// The uid that owns the other end of TCP connection `fd` when that end is on this host (a
/// loopback client), from /proc/net/tcp and tcp6; nullopt when it cannot be told.
std::optional<unsigned> peer_owner(int fd);

/// The address of the peer of socket `fd` ("127.0.0.1", "::1", "::ffff:10.0.0.2"); "" when it is
/// no IP socket (a test's pipe).
std::string peer_address(int fd);

}  // namespace pmctl::cli
