#include "logwriter/pump.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace pmctl::logwriter {
namespace {

/// A longer line is cut: the writer's memory stays bounded whatever the app prints.
constexpr std::size_t kMaxLine = 64 * 1024;

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

void on_chunk(Stream& s, std::string_view data, const core::LineStyle& style) {
  copy(s.copy_fd, data);
  s.partial.append(data);
  const core::Moment now = core::moment_of(std::chrono::system_clock::now());
  std::string text;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.partial.find('\n', start)) != std::string::npos; start = nl + 1)
    text += core::format_line(style, std::string_view(s.partial).substr(start, nl - start),
                              s.is_err, now);
  s.partial.erase(0, start);
  if (s.partial.size() >= kMaxLine) {
    text += core::format_line(style, s.partial, s.is_err, now);
    s.partial.clear();
  }
  write_files(s, text);
}

void on_eof(Stream& s, const core::LineStyle& style) {
  if (!s.partial.empty()) {
    const auto now = core::moment_of(std::chrono::system_clock::now());
    write_files(s, core::format_line(style, s.partial, s.is_err, now));
    s.partial.clear();
  }
  close(s.fd);
  s.fd = -1;
}

void reopen(const std::vector<LogFile*>& files) {
  for (LogFile* f : files)
    if (!f->open())
      std::fprintf(stderr, "pmctl-logwriter: reopening '%s': %s, keeping the old file\n",
                   f->path().c_str(), std::strerror(errno));
}

/// Reads what is there; false at EOF or on a read error.
bool drain(Stream& s, const core::LineStyle& style) {
  char buffer[64 * 1024];
  const ssize_t n = read(s.fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  on_chunk(s, std::string_view(buffer, static_cast<std::size_t>(n)), style);
  return true;
}

}  // namespace

int pump(Stream& out, Stream& err, const std::vector<LogFile*>& files,
         const core::LineStyle& style) {
  const sigset_t during_poll = setup_signals();
  Stream* streams[2] = {&out, &err};
  while (out.fd >= 0 || err.fd >= 0) {
    pollfd fds[2];
    for (int i = 0; i < 2; ++i) fds[i] = {streams[i]->fd, POLLIN, 0};  // fd -1 is skipped
    const int r = ppoll(fds, 2, nullptr, &during_poll);
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
      if (!drain(*streams[i], style)) on_eof(*streams[i], style);
    }
  }
  return 0;
}

}  // namespace pmctl::logwriter
