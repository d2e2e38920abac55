// The log flags of `pmctl start` (PM2's -o, -e, -l, --merge-logs, --log-date-format, --time,
// --log-type, --disable-logs, -p) and pmctl's --no-journal.
#include "cli/log_options.hpp"

#include <filesystem>

#include "core/state/registry.hpp"
#include "core/text/log_line.hpp"
#include "core/types/error.hpp"
#include "core/units/log_mapping.hpp"

namespace pmctl::cli {
namespace {

std::string log_path(const std::string& value, const char* option, const std::string& cwd) {
  if (value.empty()) throw core::Error(std::string(option) + " needs a path", "", 2);
  if (core::is_discard_path(value)) return "/dev/null";
  return (std::filesystem::path(cwd) / value).lexically_normal().string();
}

/// Collects the paths of the given options, resolved.
struct Paths {
  const std::set<std::string>& given;
  const std::string& cwd;

  std::string operator()(const std::string& value, const char* option) const {
    return given.count(option) ? log_path(value, option, cwd) : "";
  }
};

bool json_type(const std::string& type) {
  if (type == "raw") return false;
  if (type == "json") return true;
  throw core::Error("--log-type '" + type + "' is not a log type", "use json or raw", 2);
}

}  // namespace

void add_log_options(CLI::App& cmd, LogOptions& o) {
  cmd.add_option("-o,--output", o.output, "stdout to this file too (NULL or /dev/null: none)");
  cmd.add_option("-e,--error", o.error, "stderr to this file too");
  cmd.add_option("-l,--log", o.log,
                 "Both streams to this file too (default <state>/logs/<name>.log)")
      ->expected(0, 1);
  // Two flags, not CLI11's "--merge-logs,!--no-merge-logs", which --help shows as it is.
  cmd.add_flag("--merge-logs")
      ->description("Do not add -<id> to the log file names (the default here)");
  cmd.add_flag("--no-merge-logs", o.no_merge_logs, "Add -<id> to the log file names");
  cmd.add_option("--log-date-format", o.date_format,
                 "Prefix file lines with this dayjs date format");
  cmd.add_flag("--time", o.time, "Prefix file lines with YYYY-MM-DDTHH:mm:ss");
  cmd.add_option("--log-type", o.log_type, "json: one PM2 JSON object per line in the files");
  cmd.add_flag("--disable-logs", o.disable_logs, "Drop all output, journal included");
  cmd.add_flag("--no-journal", o.no_journal,
               "systemd appends stdout/stderr to the files itself, nothing to the journal");
  cmd.add_option("-p,--pid", o.pid, "Write the main PID to this file (named <file>-<id>)");
}

core::LogSettings log_settings(const LogOptions& o, const std::set<std::string>& given,
                               const std::string& cwd, const std::string& app_name,
                               core::Scope scope) {
  const Paths path{given, cwd};
  core::LogSettings s;
  s.out_file = path(o.output, "--output");
  s.error_file = path(o.error, "--error");
  // PM2's `-l` alone: the combined log in pmctl's state directory, as PM2 uses ~/.pm2/logs.
  if (given.count("--log"))
    s.log_file = o.log.empty()
                     ? core::default_combined_log(core::default_state_dir(scope).string(), app_name)
                     : path(o.log, "--log");
  s.merge_logs = !o.no_merge_logs;
  if (given.count("--log-date-format") && o.date_format.empty())
    throw core::Error("--log-date-format needs a format", "for example 'YYYY-MM-DD HH:mm:ss Z'", 2);
  s.date_format =
      o.date_format.empty() && o.time ? std::string(core::kTimeFlagFormat) : o.date_format;
  s.json = given.count("--log-type") && json_type(o.log_type);
  s.disabled = o.disable_logs;
  s.pid_file = path(o.pid, "--pid");
  if (!o.no_journal) return s;
  return core::without_journal(s, (core::default_state_dir(scope) / "logs").string(), app_name);
}

}  // namespace pmctl::cli
