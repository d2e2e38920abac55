#pragma once
// Running a command from a resident companion (pmctl-memguard, pmctl-watch): the pmctl command
// line they run, and starting it with a clean signal state.

#include <spawn.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace pmctl::core {

/// The command line a companion runs to act on `target` (an app name or an instance id):
/// pmctl [--user] --silent <action> <target>. --silent because the companion logs its own line
/// saying what it does; pmctl's errors still show.
std::vector<std::string> pmctl_action_argv(const std::string& pmctl, bool user,
                                           const std::string& action, const std::string& target);

/// posix_spawn of argv with `files` (may be null), every signal unblocked and at its default
/// action in the child; argv[0] looked up in PATH when `search_path`. Its pid, or -1.
pid_t spawn_clean(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* files,
                  bool search_path);

/// Starts argv[0] (an absolute path) with this environment, every signal unblocked and at its
/// default action (the caller may block some for a signalfd); its pid, or -1 if it could not.
pid_t spawn_command(const std::vector<std::string>& argv);

/// What a waitpid() status stands for: the exit code, or 128 + the signal that ended it.
int exit_status(int wait_status);

/// Runs argv and waits for it; its exit status, or -1 if it could not run.
int run_and_wait(const std::vector<std::string>& argv);

struct Captured {
  int status = -1;     ///< exit_status(), or -1 if it could not run
  std::string output;  ///< its stdout and stderr together (at most `max` bytes kept)
};

/// Runs argv with stdin from /dev/null and stdout and stderr into one pipe; waits for it.
Captured run_and_capture(const std::vector<std::string>& argv, std::size_t max = 65536);

}  // namespace pmctl::core
