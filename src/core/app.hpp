#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pmctl::core {

/// PM2's restart and stop settings, with PM2's defaults.
struct RestartPolicy {
  bool autorestart = true;
  std::uint64_t restart_delay_ms = 0;   ///< PM2 restarts at once; systemd's own default is 100 ms.
  std::uint64_t exp_backoff_ms = 0;     ///< Initial delay of PM2's exponential back-off; 0 = off.
  std::uint32_t max_restarts = 16;
  std::uint64_t min_uptime_ms = 1000;
  std::vector<int> stop_exit_codes;
  std::uint64_t kill_timeout_ms = 1600;

  bool operator==(const RestartPolicy&) const = default;
};

/// One app as declared by the user (CLI flags today, ecosystem files later), fully resolved:
/// paths are absolute and the environment is complete, so starting it again after a reboot does
/// not depend on the caller's shell.
struct AppDecl {
  std::string name;
  std::string ns = "default";
  /// Absolute path of the script or binary; for a command string, the string itself.
  std::string script;
  bool command_string = false;  ///< Run `script` under `/bin/sh -c`, as PM2 does.
  std::vector<std::string> args;
  /// Absolute path of the interpreter, or empty to execute `script` directly (PM2's `none`).
  std::string interpreter;
  std::vector<std::string> interpreter_args;
  std::string cwd;  ///< Absolute working directory.
  /// The complete environment the app sees (caller's environment after --filter-env, plus
  /// --setenv). PM2's injected variables (pm_id, name, ...) are added at start, not stored here.
  std::map<std::string, std::string> env;
  RestartPolicy restart;

  bool operator==(const AppDecl&) const = default;
};

}  // namespace pmctl::core
