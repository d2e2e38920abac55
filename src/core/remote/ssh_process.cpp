#include "core/remote/ssh_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "core/base/spawn.hpp"

namespace pmctl::core {
namespace {

constexpr std::size_t kMaxKept = 16u << 20;

volatile sig_atomic_t g_stop_signal = 0;
void note_signal(int sig) { g_stop_signal = sig; }

/// Installs note_signal for SIGINT, SIGTERM and SIGHUP (no SA_RESTART: waits return EINTR) for
/// the life of this object; SIGPIPE is ignored (a child's pipe closing is an EOF, not a death).
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = note_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &sa, &old_[i]);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old_pipe_);
  }
  ~StopSignals() {
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &old_[i], nullptr);
    sigaction(SIGPIPE, &old_pipe_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  static bool stopping() { return g_stop_signal != 0; }

 private:
  static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction old_[3]{};
  struct sigaction old_pipe_ {};
};

struct Spawned {
  pid_t pid = -1;
  int in = -1;   ///< write end of the child's stdin pipe, or -1
  int out = -1;  ///< read end of its stdout pipe, or -1 (inherited)
  int err = -1;  ///< read end of its stderr pipe, or -1 (inherited)
};

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

/// posix_spawnp with pipes where asked (piped stdin, captured stdout/stderr).
Spawned spawn_child(const std::vector<std::string>& argv, bool pipe_in, bool capture) {
  Spawned s;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (pipe_in && pipe2(in, O_CLOEXEC) != 0) return s;
  if (capture && (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)) return s;
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  if (pipe_in) posix_spawn_file_actions_adddup2(&files, in[0], 0);
  if (capture) {
    posix_spawn_file_actions_adddup2(&files, out[1], 1);
    posix_spawn_file_actions_adddup2(&files, err[1], 2);
  }
  const pid_t pid = spawn_clean(argv, &files, true);
  posix_spawn_file_actions_destroy(&files);
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  s.pid = pid;
  s.in = in[1];
  s.out = out[0];
  s.err = err[0];
  if (pid < 0) close_fd(s.in), close_fd(s.out), close_fd(s.err);
  return s;
}

/// Waits for pid; on a stop signal, closes `in` and sends the child SIGTERM once.
int wait_child(pid_t pid, int& in) {
  bool told = false;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, 0) == pid) return exit_status(status);
    if (errno != EINTR) return -1;
    if (StopSignals::stopping() && !told) {
      close_fd(in);
      kill(pid, SIGTERM);
      told = true;
    }
  }
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR && !StopSignals::stopping()) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int stop_signal_received() { return g_stop_signal; }

int run_attached(const std::vector<std::string>& argv, ChildInput input) {
  StopSignals signals;
  Spawned s = spawn_child(argv, input == ChildInput::kHeld, false);
  if (s.pid < 0) return -1;
  const int status = wait_child(s.pid, s.in);
  close_fd(s.in);
  return status;
}

int run_with_input(const std::vector<std::string>& argv, const std::string& input) {
  StopSignals signals;
  Spawned s = spawn_child(argv, true, false);
  if (s.pid < 0) return -1;
  write_all(s.in, input);  // a child that exits early reads less: its status says why
  close_fd(s.in);
  return wait_child(s.pid, s.in);
}

namespace {

/// A running child of run_all, with what is left of its current lines.
struct Running {
  std::size_t index = 0;
  Spawned child;
  std::string partial[2];
};

void take_lines(Running& r, int which, const char* data, std::size_t n, const LineSink& sink,
                ChildResult& result) {
  if (!sink) {
    std::string& kept = which ? result.err : result.out;
    kept.append(data, std::min(n, kMaxKept - std::min(kMaxKept, kept.size())));
    return;
  }
  std::string& part = r.partial[which];
  part.append(data, n);
  std::size_t start = 0;
  for (std::size_t nl; (nl = part.find('\n', start)) != std::string::npos; start = nl + 1)
    sink(r.index, which == 1, std::string_view(part).substr(start, nl - start));
  part.erase(0, start);
}

/// Reads what is ready from every running child's pipes; true while any pipe is open.
bool pump(std::vector<Running>& running, const LineSink& sink, std::vector<ChildResult>& results) {
  std::vector<pollfd> fds;
  std::vector<std::pair<Running*, int>> owners;
  for (auto& r : running)
    for (int which = 0; which < 2; ++which) {
      const int fd = which ? r.child.err : r.child.out;
      if (fd < 0) continue;
      fds.push_back({fd, POLLIN, 0});
      owners.emplace_back(&r, which);
    }
  if (fds.empty()) return false;
  if (poll(fds.data(), fds.size(), -1) < 0) return true;  // EINTR: the caller looks at signals
  char buf[65536];
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (!fds[i].revents) continue;
    auto [r, which] = owners[i];
    const ssize_t n = read(fds[i].fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      take_lines(*r, which, buf, static_cast<std::size_t>(n), sink, results[r->index]);
      continue;
    }
    if (sink && !r->partial[which].empty()) sink(r->index, which == 1, r->partial[which]);
    r->partial[which].clear();
    close_fd(which ? r->child.err : r->child.out);
  }
  return true;
}

/// Reaps the running children whose pipes are both closed.
void reap_finished(std::vector<Running>& running, std::vector<ChildResult>& results) {
  for (auto it = running.begin(); it != running.end();) {
    if (it->child.out >= 0 || it->child.err >= 0) {
      ++it;
      continue;
    }
    results[it->index].status = wait_child(it->child.pid, it->child.in);
    close_fd(it->child.in);
    it = running.erase(it);
  }
}

}  // namespace

std::vector<ChildResult> run_all(const std::vector<std::vector<std::string>>& argvs,
                                 std::size_t parallel, const LineSink& sink) {
  StopSignals signals;
  std::vector<ChildResult> results(argvs.size());
  std::vector<Running> running;
  running.reserve(argvs.size());
  std::size_t next = 0;
  bool told = false;
  while (next < argvs.size() || !running.empty()) {
    while (!StopSignals::stopping() && next < argvs.size() && running.size() < parallel) {
      Running r;
      r.index = next;
      r.child = spawn_child(argvs[next++], true, true);
      if (r.child.pid >= 0) running.push_back(std::move(r));
    }
    if (StopSignals::stopping() && !told) {
      for (auto& r : running) close_fd(r.child.in), kill(r.child.pid, SIGTERM);
      told = true;
    }
    if (StopSignals::stopping() && running.empty()) break;
    pump(running, sink, results);
    reap_finished(running, results);
  }
  return results;
}

}  // namespace pmctl::core
