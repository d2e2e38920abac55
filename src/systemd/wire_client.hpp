#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/types/unique_fd.hpp"
#include "systemd/wire_message.hpp"

namespace pmctl::sd::wire {

/// One reply: its bytes and its parsed header (whose views point into `bytes`).
struct Reply {
  std::string bytes;
  MessageView header;
  bool is_error() const { return header.type == MessageType::Error; }
  /// A reader positioned at the start of the body.
  Reader body() const { return Reader(bytes, header.body_offset); }
};

/// A D-Bus connection of its own to a service manager's private socket, for pmctl's read-only
/// queries: no broker, so no Hello; the EXTERNAL authentication goes out when connecting, and the
/// first calls once the manager has said OK; every batch of calls goes out in one write(2). Signals
/// (systemd sends them to every direct connection unasked) are read and dropped.
class Client {
 public:
  /// Connects to the unix socket `path` and sends the authentication. nullopt when the socket
  /// cannot be connected to (missing, or not ours to use): the caller then uses sd-bus.
  static std::optional<Client> connect(const std::string& path);

  /// Sends `calls` in one write and waits until every reply is in, up to `timeout`. The replies
  /// come back in the order of `calls`. Throws WireError if the connection fails or times out.
  std::vector<Reply> call_all(const std::vector<std::pair<Call, std::string>>& calls,
                              std::chrono::milliseconds timeout);

 private:
  explicit Client(core::UniqueFd fd) : fd_(std::move(fd)) {}
  void write_all(const std::string& bytes);
  /// Reads more bytes into in_ until `deadline`; throws on EOF, error or timeout.
  void read_some(std::chrono::steady_clock::time_point deadline);
  /// Drops the server's "OK <guid>\r\n" once it is in; false while it is incomplete.
  bool take_auth_reply();
  /// The next whole message in in_, moved out of it, if one is complete.
  std::optional<std::string> next_message();

  core::UniqueFd fd_;
  std::string out_;  ///< the authentication, until it goes out with the first calls
  std::string in_;
  std::size_t taken_ = 0;  ///< bytes at the start of in_ that next_message() has handed out
  bool authenticated_ = false;
  std::uint32_t next_serial_ = 1;
};

}  // namespace pmctl::sd::wire
