#pragma once
// The socket side of `pmctl metrics serve` and `pmctl web serve`: systemd hands `web serve` a
// connected socket as stdin and stdout (Accept=yes): one request, one answer, exit; and
// `metrics serve` the listening socket (Accept=no): it answers connection after connection until
// none comes for its idle timeout.

#include <functional>
#include <optional>
#include <string>

namespace pmctl::cli {

/// The request head from `fd`: until the blank line, the peer's end, core::kMaxRequestHead
/// bytes, or a 5 s timeout. Bytes read past the head (the start of a body) stay at its end.
std::string read_request_head(int fd);

/// The body of a request whose head (with any body bytes read with it) is `head`: as many bytes
/// as Content-Length says, read within 5 s; nullopt when it is longer than `max` or incomplete.
std::optional<std::string> read_request_body(int fd, const std::string& head, std::size_t max);

/// The listening socket systemd passed to this process (LISTEN_PID, LISTEN_FDS: fd 3), or -1.
/// The variables are removed so that nothing this process starts takes them for its own.
int listening_socket_from_manager();

/// Accepts connections on `listener` one at a time and hands each to `answer` (closing it after),
/// until no connection has come for `idle_seconds`. A connection's reads and writes time out.
void serve_until_idle(int listener, unsigned idle_seconds, const std::function<void(int)>& answer);

/// Writes all of `text` (a peer that went away ends it quietly).
void write_all(int fd, const std::string& text);

/// The uid that owns the other end of TCP connection `fd` when that end is on this host (a
/// loopback client), from /proc/net/tcp and tcp6; nullopt when it cannot be told.
std::optional<unsigned> peer_owner(int fd);

/// The address of the peer of socket `fd` ("127.0.0.1", "::1", "::ffff:10.0.0.2"); "" when it is
/// no IP socket (a test's pipe).
std::string peer_address(int fd);

}  // namespace pmctl::cli
