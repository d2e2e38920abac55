// PM2's log and pid file fields, resolved into LogSettings. Writing the files is not done here.
#include <filesystem>

#include "core/fields/app_fields_parts.hpp"
#include "core/fields/field_values.hpp"
#include "core/text/log_line.hpp"
#include "core/units/log_mapping.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDevNull = "/dev/null";

/// PM2's file-name form of an app name: [^a-zA-Z0-9.-] becomes '-'.
std::string file_safe(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-';
    if (!keep) c = '-';
  }
  return out;
}

std::string resolve(const std::string& path, const std::string& cwd) {
  if (path == "NULL" || path == kDevNull) return kDevNull;
  return (fs::path(cwd) / path).lexically_normal().string();
}

std::string read_path(const RawApp& app, std::string_view field, const std::string& cwd) {
  const auto path = read_string(app, field);
  if (!path) return {};
  if (path->empty()) app.fail_type(field, "a file path (or \"NULL\" to discard)");
  return resolve(*path, cwd);
}

// true -> <log_dir>/<name>.log, as PM2's ~/.pm2/logs/<name>.log; false -> none.
std::string read_log_file(const RawApp& app, const std::string& cwd, const std::string& name,
                          const std::string& log_dir) {
  const nlohmann::json* value = app.find("log_file");
  if (!value || !value->is_boolean()) return read_path(app, "log_file", cwd);
  if (!value->get<bool>()) return {};
  const std::string dir = log_dir.empty() ? cwd : log_dir;
  return (fs::path(dir) / (file_safe(name) + ".log")).lexically_normal().string();
}

bool read_log_type_json(const RawApp& app) {
  const auto type = read_string(app, "log_type");
  if (!type || *type == "raw") return false;
  if (*type != "json") app.fail_type("log_type", "\"json\" or \"raw\"");
  return true;
}

}  // namespace

LogSettings read_logs(const RawApp& app, const std::string& cwd, const std::string& name,
                      const std::string& log_dir) {
  LogSettings logs;
  logs.out_file = read_path(app, "out_file", cwd);
  logs.error_file = read_path(app, "error_file", cwd);
  logs.log_file = read_log_file(app, cwd, name, log_dir);
  logs.pid_file = read_path(app, "pid_file", cwd);
  // PM2 merges by default only in fork mode without `instances`; with it, each file gets -<id>.
  logs.merge_logs = read_bool(app, "merge_logs").value_or(!app.has("instances"));
  logs.date_format = read_string(app, "log_date_format").value_or("");
  if (read_bool(app, "time").value_or(false) && logs.date_format.empty())
    logs.date_format = kTimeFlagFormat;
  logs.json = read_log_type_json(app);
  logs.disabled = read_bool(app, "disable_logs").value_or(false);
  if (read_bool(app, "journal").value_or(true)) return logs;
  return without_journal(logs, log_dir.empty() ? cwd : log_dir, name);
}

}  // namespace pmctl::core
