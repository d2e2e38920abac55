#pragma once
// When pmctl-watch acts on a burst of changes: one editor save is several inotify events (a
// create, modifies, a close, a rename), and a `git checkout` hundreds; all of them are one
// restart.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace pmctl::watch {

using Clock = std::chrono::steady_clock;

/// The action waits until no event has come for this long...
inline constexpr std::chrono::milliseconds kQuiet{50};
/// ...but not longer than this after watch_delay, so a file written without pause still
/// restarts the app.
inline constexpr std::chrono::milliseconds kMaxExtraWait{1000};

/// The changes seen and not acted on yet.
struct Batch {
  std::size_t events = 0;
  Clock::time_point first{};
  Clock::time_point last{};
  std::string first_path;  ///< for the log line

  bool empty() const { return events == 0; }
  void add(Clock::time_point now, std::string_view path, std::size_t count = 1);
};

/// When the action for a non-empty batch runs: max(watch_delay, kQuiet) after its first event and
/// kQuiet after its last, whichever is later, but no later than watch_delay + kMaxExtraWait after
/// its first.
Clock::time_point fire_at(const Batch& batch, std::chrono::milliseconds delay);

}  // namespace pmctl::watch
