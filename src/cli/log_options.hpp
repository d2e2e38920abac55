#pragma once

#include <CLI/CLI.hpp>
#include <set>
#include <string>

#include "core/model/app.hpp"
#include "core/types/scope.hpp"

namespace pmctl::cli {

/// PM2's log flags of `pmctl start`, as typed.
struct LogOptions {
  std::string output, error, log, date_format, log_type, pid;
  bool no_merge_logs = false;  ///< pmctl's own; --merge-logs (PM2's fork-mode default) is a no-op
  bool time = false;
  bool disable_logs = false;
  bool no_journal = false;  ///< pmctl's own --no-journal (ecosystem: journal: false).
};

void add_log_options(CLI::App& cmd, LogOptions& o);

/// The declaration's log settings: relative paths against `cwd`, NULL and /dev/null kept as
/// /dev/null, `-l` without a path -> <state dir>/logs/<name>.log.
/// `given` holds the names of the options on the command line (e.g. "--output"): a given option
/// with an empty value is an error.
core::LogSettings log_settings(const LogOptions& o, const std::set<std::string>& given,
                               const std::string& cwd, const std::string& app_name,
                               core::Scope scope);

}  // namespace pmctl::cli
