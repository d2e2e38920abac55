#include "logwriter/pump.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

namespace pmctl::logwriter {
namespace {

using Clock = std::chrono::steady_clock;

/// How long the start of a line waits for its newline before it is written without it. A line
/// written in pieces (several write calls, or a pipe read that ends mid-line) is whole well
/// within it, so its date prefix and JSON object stay one; an app that prints a prompt or a
/// progress dot and then waits has it in the file before a person watching notices the lag.
constexpr auto kPartialLineDelay = std::chrono::milliseconds(200);

volatile std::sig_atomic_t g_reopen = 0;

void on_usr2(int) { g_reopen = 1; }

/// The signal mask for ppoll: SIGUSR2 is blocked everywhere else, so a request that arrives
/// while a chunk is written is handled at the next ppoll instead of being missed.
sigset_t setup_signals() {
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);  // journald gone: keep writing the files
  sigset_t usr2, during_poll;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  sigprocmask(SIG_BLOCK, &usr2, &during_poll);
  sigdelset(&during_poll, SIGUSR2);
  struct sigaction sa {};
  sa.sa_handler = on_usr2;
  sigaction(SIGUSR2, &sa, nullptr);
  return during_poll;
}

void copy(int fd, std::string_view data) {
  if (fd < 0) return;  // --journal no
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void write_files(const Stream& s, const std::string& text) {
  if (text.empty()) return;
  for (LogFile* f : s.files) f->write(text);
}

core::Moment wall_now() { return core::moment_of(std::chrono::system_clock::now()); }

/// A stream and the lines it is assembling.
struct Channel {
  Stream& stream;
  core::LineAssembler lines;
  Clock::time_point held_since{};  ///< When the bytes held without a newline began to wait.
};

void on_chunk(Channel& c, std::string_view data) {
  copy(c.stream.copy_fd, data);
  const bool was_holding = c.lines.holding();
  write_files(c.stream, c.lines.feed(data, wall_now()));
  // A new line's start waits its own delay, even when the chunk ended the one held before.
  const bool new_line = !was_holding || data.find('\n') != std::string_view::npos;
  if (c.lines.holding() && new_line) c.held_since = Clock::now();
}

void on_eof(Channel& c) {
  write_files(c.stream, c.lines.finish(wall_now()));
  close(c.stream.fd);
  c.stream.fd = -1;
}

/// Writes the start of a line that has waited kPartialLineDelay for its newline.
void flush_waiting(Channel& c, Clock::time_point now) {
  if (c.lines.holding() && now - c.held_since >= kPartialLineDelay)
    write_files(c.stream, c.lines.flush(wall_now()));
}

/// How long ppoll may sleep: forever, or until the first held line is due.
std::optional<timespec> poll_timeout(const Channel* const channels[2], Clock::time_point now) {
  std::optional<Clock::duration> wait;
  for (int i = 0; i < 2; ++i) {
    if (!channels[i]->lines.holding()) continue;
    const auto left =
        std::max(Clock::duration::zero(), channels[i]->held_since + kPartialLineDelay - now);
    wait = wait ? std::min(*wait, left) : left;
  }
  if (!wait) return std::nullopt;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*wait).count();
  return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

void reopen(const std::vector<LogFile*>& files) {
  for (LogFile* f : files)
    if (!f->open())
      std::fprintf(stderr, "pmctl-logwriter: reopening '%s': %s, keeping the old file\n",
                   f->path().c_str(), std::strerror(errno));
}

/// Reads what is there; false at EOF or on a read error.
bool drain(Channel& c) {
  char buffer[64 * 1024];
  const ssize_t n = read(c.stream.fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  on_chunk(c, std::string_view(buffer, static_cast<std::size_t>(n)));
  return true;
}

}  // namespace

int pump(Stream& out, Stream& err, const std::vector<LogFile*>& files,
         const core::LineStyle& style) {
  const sigset_t during_poll = setup_signals();
  Channel out_channel{out, core::LineAssembler(style, out.is_err)};
  Channel err_channel{err, core::LineAssembler(style, err.is_err)};
  Channel* channels[2] = {&out_channel, &err_channel};
  while (out.fd >= 0 || err.fd >= 0) {
    pollfd fds[2];
    for (int i = 0; i < 2; ++i) fds[i] = {channels[i]->stream.fd, POLLIN, 0};  // -1 is skipped
    const auto timeout = poll_timeout(channels, Clock::now());
    const int r = ppoll(fds, 2, timeout ? &*timeout : nullptr, &during_poll);
    // Kept before reopen() changes errno: a reopen that made a directory again left ENOENT
    // there, which once read as a failed poll and ended the writer (and with it the app).
    const int poll_errno = errno;
    if (g_reopen) {
      g_reopen = 0;
      reopen(files);
    }
    if (r < 0 && poll_errno == EINTR) continue;
    if (r < 0) {
      std::fprintf(stderr, "pmctl-logwriter: poll: %s\n", std::strerror(poll_errno));
      return 1;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      if (!drain(*channels[i])) on_eof(*channels[i]);
    }
    const auto now = Clock::now();
    for (Channel* c : channels) flush_waiting(*c, now);
  }
  return 0;
}

}  // namespace pmctl::logwriter
