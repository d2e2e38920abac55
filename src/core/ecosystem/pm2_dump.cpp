// PM2's dump.pm2 -> ecosystem app objects -> the same AppDecl an ecosystem file gives. Each entry
// of the dump is one process's flattened pm2_env (PM2's CLI.prototype.dump): the declaration,
// resolved (pm_exec_path, pm_cwd, exec_interpreter, pm_*_log_path), runtime state, and `env`,
// the caller's whole environment plus the app's; instances and pm_id are removed.
#include "core/ecosystem/pm2_dump.hpp"

#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "core/base/files.hpp"
#include "core/ecosystem/json5.hpp"
#include "core/fields/field_values.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kHint =
    "'pm2 save' writes ~/.pm2/dump.pm2: a list with one object per process";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error("PM2 dump '" + path + "': " + what, std::string(kHint));
}

std::string a_type(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return std::string("a ") + value.type_name();
}

// The keys of a dump entry that are the app's declaration as the user gave it, copied as they
// are. The rest is PM2's runtime state (pm_id, status, restart_time, axm_*, unique_id, ...),
// inert PM2 settings (pmx, username, kill_retry_time, ...), or rebuilt below. PM2 Plus's trace,
// v8, ... are copied so that pmctl refuses them when on, as it does in an ecosystem file.
const std::set<std::string, std::less<>>& copied_keys() {
  static const std::set<std::string, std::less<>> keys = {"name",
                                                          "namespace",
                                                          "args",
                                                          "exec_mode",
                                                          "watch",
                                                          "ignore_watch",
                                                          "watch_delay",
                                                          "watch_options",
                                                          "max_memory_restart",
                                                          "autorestart",
                                                          "autostart",
                                                          "restart_delay",
                                                          "exp_backoff_restart_delay",
                                                          "min_uptime",
                                                          "max_restarts",
                                                          "stop_exit_codes",
                                                          "kill_timeout",
                                                          "shutdown_with_message",
                                                          "treekill",
                                                          "listen_timeout",
                                                          "wait_ready",
                                                          "cron_restart",
                                                          "merge_logs",
                                                          "log_date_format",
                                                          "time",
                                                          "log_type",
                                                          "disable_logs",
                                                          "instance_var",
                                                          "increment_var",
                                                          "uid",
                                                          "gid",
                                                          "source_map_support",
                                                          "disable_source_map_support",
                                                          "vizion",
                                                          "trace",
                                                          "v8",
                                                          "event_loop_inspector",
                                                          "deep_monitoring",
                                                          "io"};
  return keys;
}

/// A string member of `object`, or "".
std::string text_of(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string instance_var_of(const json& entry) {
  const std::string var = text_of(entry, "instance_var");
  return var.empty() ? "NODE_APP_INSTANCE" : var;
}

// What PM2 put into an app's environment itself (Common.prepareAppConf, God.prepare), and what
// pmctl sets per instance anyway: pmctl injects its own pm_id, name, namespace and instance
// variable, and PWD is the app's working directory.
bool injected_by_pm2(const std::string& key, const json& value, const json& entry) {
  static const std::set<std::string, std::less<>> names = {"PM2_HOME",
                                                           "PM2_USAGE",
                                                           "PM2_INTERACTOR_PROCESSING",
                                                           "PM2_JSON_PROCESSING",
                                                           "PM2_PROGRAMMATIC",
                                                           "unique_id",
                                                           "name",
                                                           "namespace",
                                                           "NODE_APP_INSTANCE",
                                                           "PWD"};
  // PM2 leaves an empty object (or its text "{}") under the app's own name.
  const bool named_env = key == text_of(entry, "name") && (value.is_object() || value == "{}");
  return names.count(key) || key.starts_with("pm_") || key == instance_var_of(entry) ||
         value.is_object() || named_env;
}

json app_env(const json& entry) {
  json env = json::object();
  const auto it = entry.find("env");
  if (it == entry.end() || !it->is_object()) return env;
  for (const auto& [key, value] : it->items())
    if (!injected_by_pm2(key, value, entry)) env[key] = value;
  return env;
}

/// Where PM2 kept its own files for this app: PM2_HOME, else ~/.pm2.
std::string pm2_home(const json& entry) {
  const json env = entry.value("env", json::object());
  const std::string home = env.is_object() ? text_of(env, "PM2_HOME") : "";
  if (!home.empty()) return home;
  const std::string user_home = env.is_object() ? text_of(env, "HOME") : "";
  return user_home.empty() ? "" : user_home + "/.pm2";
}

bool in_dir(const std::string& path, const std::string& dir) {
  return !dir.empty() && fs::path(path).parent_path() == fs::path(dir);
}

// PM2 inserts -<pm_id> before .log (unmerged logs) and always before .pid (God.executeApp):
// the declared path is the one without it.
std::string without_id(const std::string& path, std::string_view ext) {
  std::string suffix(1, '.');  // appended: GCC 12 warns falsely (-Wrestrict) about "." + ext
  suffix.append(ext);
  if (!path.ends_with(suffix)) return path;
  const std::size_t end = path.size() - suffix.size();
  std::size_t start = end;
  while (start > 0 && path[start - 1] >= '0' && path[start - 1] <= '9') --start;
  if (start == end || start == 0 || path[start - 1] != '-') return path;
  return path.substr(0, start - 1) + suffix;
}

// pm_out_log_path & co. back into out_file & co. PM2's defaults (PM2_HOME/logs, /pids) are not
// declarations: pmctl's logs go to the journal. log_file's default is `log_file: true`.
void add_files(const json& entry, json& app) {
  const std::string home = pm2_home(entry);
  const auto merge = entry.find("merge_logs");
  const bool merged = merge != entry.end() && js_truthy(*merge);
  struct File {
    const char* from;
    const char* to;
    const char* ext;
  };
  for (const File f :
       {File{"pm_out_log_path", "out_file", "log"}, File{"pm_err_log_path", "error_file", "log"},
        File{"pm_log_path", "log_file", "log"}, File{"pm_pid_path", "pid_file", "pid"}}) {
    const std::string path = text_of(entry, f.from);
    const bool is_log = std::string_view(f.ext) == "log";
    if (path.empty()) continue;
    if (in_dir(path, home + (is_log ? "/logs" : "/pids"))) {
      if (std::string_view(f.to) == "log_file") app["log_file"] = true;
      continue;
    }
    app[f.to] = path == "/dev/null" || (is_log && merged) ? path : without_id(path, f.ext);
  }
}

/// The instance number of an entry (its instance variable), for picking the first instance.
double instance_number(const json& entry) {
  const auto it = entry.find(instance_var_of(entry));
  return it != entry.end() && it->is_number() ? it->get<double>()
                                              : std::numeric_limits<double>::max();
}

const json& first_instance(const std::vector<const json*>& entries) {
  const json* first = entries.front();
  for (const json* e : entries)
    if (instance_number(*e) < instance_number(*first)) first = e;
  return *first;
}

bool all_stopped(const std::vector<const json*>& entries) {
  for (const json* e : entries)
    if (text_of(*e, "status") != "stopped") return false;
  return true;
}

json app_of(const std::vector<const json*>& entries) {
  const json& entry = first_instance(entries);
  const json env = entry.value("env", json::object());
  json app = json::object();
  for (const auto& [key, value] : entry.items()) {
    // A key that is also in env is an environment variable PM2 flattened, not a field.
    const bool flattened = env.is_object() && env.contains(key);
    if (copied_keys().count(key) && !flattened) app[key] = value;
  }
  app["script"] = entry.at("pm_exec_path");
  if (entry.contains("pm_cwd")) app["cwd"] = entry.at("pm_cwd");
  if (entry.contains("exec_interpreter")) app["interpreter"] = entry.at("exec_interpreter");
  if (entry.contains("node_args")) app["interpreter_args"] = entry.at("node_args");
  if (entries.size() > 1) app["instances"] = entries.size();
  if (all_stopped(entries)) app["autostart"] = false;
  app["env"] = app_env(entry);
  add_files(entry, app);
  return app;
}

void check_entry(const json& entry, std::size_t index, const std::string& path) {
  const std::string which = "process #" + std::to_string(index + 1);
  if (!entry.is_object()) fail(path, which + " is " + a_type(entry) + ", not an object");
  const auto script = entry.find("pm_exec_path");
  if (script != entry.end() && script->is_string() &&
      !script->get_ref<const std::string&>().empty())
    return;
  const std::string name = text_of(entry, "name");
  fail(path, which + (name.empty() ? "" : " ('" + name + "')") +
                 " has no pm_exec_path, the script PM2 ran");
}

/// The entries in dump order, those of one name together (a cluster's instances).
std::vector<std::vector<const json*>> group_by_name(const json& list) {
  std::vector<std::vector<const json*>> groups;
  std::map<std::string, std::size_t> by_name;
  for (const json& entry : list) {
    const std::string name = text_of(entry, "name");
    const auto [it, fresh] = by_name.emplace(name, groups.size());
    if (fresh || name.empty())
      groups.push_back({&entry});
    else
      groups[it->second].push_back(&entry);
  }
  return groups;
}

json parse(std::string_view text, const std::string& path) {
  try {
    return parse_json5(text, path);
  } catch (const Error& e) {
    fail(path, std::string("not JSON: ") + e.what());
  }
}

std::string read_dump(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(path, "is a directory");
  const auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxPm2DumpSize)
    fail(path, "is larger than " + std::to_string(kMaxPm2DumpSize >> 20) + " MiB");
  return read_file(path);
}

/// The app's PATH from its dump (where PM2 found its interpreter), then the caller's.
std::string search_path(const json& app, const std::string& caller_path) {
  const std::string own = text_of(app.at("env"), "PATH");
  if (own.empty()) return caller_path;
  return caller_path.empty() ? own : own + ":" + caller_path;
}

}  // namespace

std::vector<json> pm2_dump_apps(std::string_view text, const std::string& path) {
  const json root = parse(text, path);
  if (!root.is_array()) fail(path, "the top level is " + a_type(root) + ", not a list");
  for (std::size_t i = 0; i < root.size(); ++i) check_entry(root[i], i, path);
  std::vector<json> apps;
  for (const auto& entries : group_by_name(root)) apps.push_back(app_of(entries));
  return apps;
}

std::vector<ConvertedApp> load_pm2_dump(const std::string& path, const FieldContext& ctx) {
  const std::vector<json> apps = pm2_dump_apps(read_dump(path), path);
  std::vector<ConvertedApp> out;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    FieldContext app_ctx = ctx;
    app_ctx.caller_env.clear();
    app_ctx.path_env = search_path(apps[i], ctx.path_env);
    out.push_back(app_from_json(apps[i], app_ctx, i));
  }
  return out;
}

}  // namespace pmctl::core
