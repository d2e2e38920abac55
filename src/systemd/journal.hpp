#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/types/scope.hpp"

namespace pmctl::sd {

struct LogLine {
  std::uint64_t realtime_usec = 0;
  int priority = 6;  ///< 6 (info) = stdout, 3 (err) = stderr, as systemd-cat writes them.
  std::string unit;  ///< The unit the line came from.
  std::string message;
  std::uint32_t pid = 0;
  /// journald's _LINE_BREAK: why the entry ended when not at a newline ("nul", "line-max",
  /// "eof", "pid-change"); empty for a newline.
  std::string line_break;
};

enum class Streams { Both, Out, Err };

struct LogQuery {
  std::vector<std::string> units;
  /// follow() only: when set, follows every unit whose name starts with it instead of `units`,
  /// so units that start after the follow began are in it too; the sink picks its lines.
  std::string unit_prefix;
  /// Per unit: entries at or before this CLOCK_REALTIME µs are skipped (pmctl flush).
  std::map<std::string, std::uint64_t> since_usec;
  /// Units with the same group share one tail (the unit names of one app instance: transient,
  /// reload, saved); a unit without a group is one of its own.
  std::map<std::string, std::string> group;
  Streams streams = Streams::Both;
};

/// Reads app output back from journald. System scope matches `_SYSTEMD_UNIT=`; user scope matches
/// `_SYSTEMD_USER_UNIT=` and `_UID=` (LogExtraFields has no effect for user units).
class Journal {
 public:
  explicit Journal(core::Scope scope);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  /// The last `lines` entries of each group of units (after its watermark) and each stream (out:
  /// priority 4 to 7, err: 0 to 3, as PM2 tails each log file), merged in time order.
  std::vector<LogLine> tail(const LogQuery& query, std::size_t lines);
  /// Calls `sink` for each entry of the query's units (or of every unit with its prefix) newer
  /// than `after_usec` (CLOCK_REALTIME µs; 0 = entries written after this call starts), until
  /// `sink` returns false. Blocks in sd_journal_wait between entries. Passing the time of the last
  /// line `tail` returned continues exactly after it. With `interrupted`, asks it every 250 ms
  /// while waiting, and returns once it says so.
  void follow(const LogQuery& query, const std::function<bool(const LogLine&)>& sink,
              std::uint64_t after_usec = 0, const std::function<bool()>& interrupted = {});
  /// How many lines journald says it dropped from `unit` after `after_usec` (CLOCK_REALTIME µs):
  /// the sum of N_DROPPED of its "Suppressed N messages from UNIT" entries
  /// (MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e, OBJECT_SYSTEMD_UNIT=UNIT). `unit` is a system
  /// unit: for user units their manager's user@UID.service, which journald limits as one.
  std::uint64_t dropped(const std::string& unit, std::uint64_t after_usec);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pmctl::sd
