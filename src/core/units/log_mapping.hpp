#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/app.hpp"
#include "core/types/unit_spec.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::core {

/// Where one instance's output goes, with PM2's file names applied. Empty = no file.
struct LogTargets {
  std::string out;       ///< stdout only
  std::string err;       ///< stderr only
  std::string log;       ///< both streams (log_file)
  std::string pid;       ///< the main PID while running
  bool discard = false;  ///< disable_logs: the output goes nowhere, not even to the journal.

  bool any_file() const { return !out.empty() || !err.empty() || !log.empty(); }
  bool operator==(const LogTargets&) const = default;
};

/// PM2's two spellings of "no file for this stream": "/dev/null" and "NULL".
bool is_discard_path(std::string_view path);

/// PM2's per-instance name: `-<id>` before the extension of the last path component
/// (out.log -> out-3.log, out -> out-3, a.tar.gz -> a.tar-3.gz, .hidden -> .hidden-3).
std::string with_id_suffix(std::string_view path, int id);

/// The files of instance `id`: out/err/log get `-<id>` unless merge_logs, the pid file always
/// does (as in PM2); "/dev/null" and "NULL" mean no file; disable_logs means no files at all.
LogTargets log_targets(const LogSettings& logs, int id);

/// The start command and the output properties of one instance: the app under systemd-cat
/// (journal, stdout at priority 6, stderr at 3), with pmctl-logwriter between the two when the
/// app has log files; StandardOutput/StandardError=null for disable_logs; ExecStartPost and
/// ExecStopPost that write and remove the pid file.
void add_output(std::vector<Property>& props, const AppDecl& app, const InstanceContext& ctx,
                const std::vector<std::string>& app_argv);

/// journald's per-unit rate limit as pmctl sets it on every service and socket: at most
/// kJournalRateBurst lines a second. Interval 0 is not "off" on systemd 252: it means
/// journald.conf's 10000 lines in 30 s (37,500 of 1,000,000 lines kept). journald multiplies the
/// burst by (log2(free bytes) - 16) / 4 in 32 bits (3.75 on the test disk, at most 12), so it
/// stays far below 2^32 / 48. Ten million lines a second is about a hundred times what journald
/// can take in at ~12 us a line: a flood slows the app down, it is never cut (docs/reliability.md).
inline constexpr std::uint64_t kJournalRateIntervalUsec = 1'000'000;
inline constexpr std::uint32_t kJournalRateBurst = 10'000'000;

/// LogRateLimitIntervalUSec and LogRateLimitBurst, as above.
void add_journal_rate_limit(std::vector<Property>& props);

/// `journal: false`: pmctl-logwriter writes the files and copies nothing to the journal (PM2's
/// way: the app writes into a pipe, one process batches the lines into the files). A stream
/// without a file gets PM2's default, `<log_dir>/<name>-out.log` or `-error.log`, as in PM2.
LogSettings without_journal(LogSettings logs, const std::string& log_dir,
                            std::string_view app_name);

/// Where `-l`/`--log` without a path puts the combined log: `<state dir>/logs/<name>.log`
/// (PM2: ~/.pm2/logs/<name>.log), the name sanitized as PM2 does ([^A-Za-z0-9.-] -> '-').
std::string default_combined_log(const std::string& state_dir, std::string_view app_name);

}  // namespace pmctl::core
