#include "core/base/spawn.hpp"

#include <spawn.h>
#include <sys/wait.h>

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

pid_t spawn_command(const std::vector<std::string>& argv) {
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  // A parent that reads signals from a signalfd blocks them; the child must not inherit that, or
  // pmctl would ignore the SIGTERM that stops it.
  posix_spawnattr_t attr;
  if (posix_spawnattr_init(&attr) != 0) return -1;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int r = posix_spawn(&pid, c_argv[0], nullptr, &attr, c_argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  return r == 0 ? pid : -1;
}

int exit_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 128 + WTERMSIG(wait_status);
}

int run_and_wait(const std::vector<std::string>& argv) {
  const pid_t pid = spawn_command(argv);
  if (pid < 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return exit_status(status);
}

}  // namespace pmctl::core
