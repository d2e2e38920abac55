#pragma once
// One command at a time: every pmctl command that changes something holds this lock for its
// whole run, from its first check to its last change, so that what it checked is still true
// when it acts. Commands that only read do not take it; they read the registry's snapshots.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "core/types/unique_fd.hpp"

namespace pmctl::core {

/// How long a command waits for another one, and what it says while it waits.
struct LockWait {
  /// Said once when the lock is still held after `notice_after`; gets the holder ("pid 12 …").
  std::function<void(const std::string& holder)> notice;
  std::chrono::milliseconds notice_after{1000};
  /// Then the command gives up with one error line, having changed nothing.
  std::chrono::milliseconds give_up{std::chrono::minutes(5)};
};

/// $PMCTL_LOCK_TIMEOUT (whole seconds, 0 = do not wait) when set, else `fallback`; core::Error
/// when it is not a number of seconds.
std::chrono::milliseconds lock_timeout_from_env(std::chrono::milliseconds fallback);

class CommandLock {
 public:
  /// Takes <state_dir>/command.lock exclusively (creating the directory), waiting as `wait`
  /// says, and writes `what` (e.g. "pid 12: pmctl reload api") into it for the waiters.
  /// Released when the object goes, or when the process ends however it ends (flock).
  static CommandLock acquire(const std::filesystem::path& state_dir, const std::string& what,
                             const LockWait& wait);
  /// Whether another process holds the lock now (a command is running).
  static bool held_elsewhere(const std::filesystem::path& state_dir);

 private:
  explicit CommandLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace pmctl::core
