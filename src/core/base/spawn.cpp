#include "core/base/spawn.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

extern char** environ;

namespace pmctl::core {

std::vector<std::string> pmctl_action_argv(const std::string& pmctl, bool user,
                                           const std::string& action, const std::string& target) {
  std::vector<std::string> argv{pmctl};
  if (user) argv.emplace_back("--user");
  argv.emplace_back("--silent");
  argv.push_back(action);
  argv.push_back(target);
  return argv;
}

pid_t spawn_clean(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* files,
                  bool search_path) {
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  // A parent that reads signals from a signalfd blocks them (pmctl -H ignores SIGPIPE); the
  // child must not inherit that, or it would ignore the SIGTERM that stops it.
  posix_spawnattr_t attr;
  if (posix_spawnattr_init(&attr) != 0) return -1;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int r = search_path ? posix_spawnp(&pid, c_argv[0], files, &attr, c_argv.data(), environ)
                            : posix_spawn(&pid, c_argv[0], files, &attr, c_argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  return r == 0 ? pid : -1;
}

namespace {

pid_t spawn_with(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* files) {
  return spawn_clean(argv, files, false);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return exit_status(status);
}

}  // namespace

pid_t spawn_command(const std::vector<std::string>& argv) { return spawn_with(argv, nullptr); }

Captured run_and_capture(const std::vector<std::string>& argv, std::size_t max) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&files, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&files, pipe_fds[1], 2);
  const pid_t pid = spawn_with(argv, &files);
  posix_spawn_file_actions_destroy(&files);
  close(pipe_fds[1]);
  Captured out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.output.append(
        buf, std::min(static_cast<std::size_t>(n), max - std::min(max, out.output.size())));
  }
  close(pipe_fds[0]);
  out.status = pid < 0 ? -1 : wait_for(pid);
  return out;
}

int exit_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 128 + WTERMSIG(wait_status);
}

int run_and_wait(const std::vector<std::string>& argv) {
  const pid_t pid = spawn_command(argv);
  return pid < 0 ? -1 : wait_for(pid);
}

}  // namespace pmctl::core
