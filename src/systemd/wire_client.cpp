#include "systemd/wire_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

namespace pmctl::sd::wire {
namespace {

/// The EXTERNAL mechanism's initial response: our uid in decimal, hex-encoded; "BEGIN" right
/// after it, so the calls can follow in the same write (the server reads the stream in order).
std::string auth_request() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = std::string(1, '\0') + "AUTH EXTERNAL ";
  for (char c : std::to_string(geteuid())) {
    text += kHex[static_cast<unsigned char>(c) >> 4];
    text += kHex[static_cast<unsigned char>(c) & 15];
  }
  return text + "\r\nBEGIN\r\n";
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

/// Waits for `events` on `fd` until `deadline`; returns the events that came.
short wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw WireError("no reply from the service manager in time");
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, static_cast<int>(left.count()) + 1);
    if (n > 0) return p.revents;
    if (n < 0 && errno != EINTR) throw WireError(errno_text("poll"));
  }
}

}  // namespace

std::optional<Client> Client::connect(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return std::nullopt;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  core::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return std::nullopt;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return std::nullopt;
  Client client(std::move(fd));
  client.write_all(auth_request());
  return client;
}

void Client::write_all(const std::string& bytes) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = send(fd_.get(), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) throw WireError(errno_text("writing to the service manager"));
    // The socket is full: take in what the manager sends meanwhile, so neither side blocks.
    if (wait_for(fd_.get(), POLLOUT | POLLIN, deadline) & POLLIN) read_some(deadline);
  }
}

void Client::read_some(std::chrono::steady_clock::time_point deadline) {
  char buffer[65536];
  for (;;) {
    const ssize_t n = recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
      in_.append(buffer, static_cast<std::size_t>(n));
      return;
    }
    if (n == 0) throw WireError("the service manager closed the connection");
    if (errno == EINTR) continue;
    if (errno != EAGAIN) throw WireError(errno_text("reading from the service manager"));
    wait_for(fd_.get(), POLLIN, deadline);
  }
}

bool Client::take_auth_reply() {
  const std::size_t end = in_.find("\r\n");
  if (end == std::string::npos) return false;
  if (in_.compare(0, 3, "OK ") != 0)
    throw WireError("the service manager refused us: " + in_.substr(0, end));
  in_.erase(0, end + 2);  // once per connection
  authenticated_ = true;
  return true;
}

std::optional<std::string> Client::next_message() {
  const std::string_view rest = std::string_view(in_).substr(taken_);
  const std::size_t size = message_size(rest);
  if (size == 0 || rest.size() < size) {
    in_.erase(0, taken_);  // keep only the incomplete message, before reading more
    taken_ = 0;
    return std::nullopt;
  }
  taken_ += size;
  return std::string(rest.substr(0, size));
}

std::vector<Reply> Client::call_all(const std::vector<std::pair<Call, std::string>>& calls,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // systemd's server leaves bytes that come in the same read as BEGIN unprocessed until more
  // arrive: a call sent before the "OK" can wait forever. sd-bus's own client waits for the OK
  // too. The OK is normally in already: the authentication went out when connecting.
  while (!authenticated_ && !take_auth_reply()) read_some(deadline);
  std::unordered_map<std::uint32_t, std::size_t> index;  // serial -> position in calls
  std::string batch;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    index.emplace(next_serial_, i);
    batch += method_call(next_serial_++, calls[i].first, calls[i].second);
  }
  write_all(batch);

  std::vector<Reply> replies(calls.size());
  std::size_t outstanding = calls.size();
  while (outstanding > 0) {
    std::optional<std::string> message = next_message();
    if (!message) {
      read_some(deadline);
      continue;
    }
    const MessageView header = parse_header(*message);
    if (header.type != MessageType::MethodReturn && header.type != MessageType::Error) continue;
    const auto it = index.find(header.reply_serial);
    if (it == index.end()) continue;
    Reply& reply = replies[it->second];
    reply.bytes = std::move(*message);
    reply.header = parse_header(reply.bytes);  // views into the moved-to string
    index.erase(it);
    --outstanding;
  }
  return replies;
}

}  // namespace pmctl::sd::wire
