#include "cli/pm2_json.hpp"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "cli/app_env.hpp"
#include "cli/versioning.hpp"
#include "core/units/log_mapping.hpp"

namespace pmctl::cli {
namespace {

std::string version_above(const std::string& start) {
  namespace fs = std::filesystem;
  fs::path dir = start;
  for (int depth = 0; depth < 8 && !dir.empty(); ++depth) {
    std::ifstream in(dir / "package.json");
    if (in) {
      const auto pkg = nlohmann::json::parse(in, nullptr, false);
      if (pkg.is_object() && pkg.contains("version") && pkg["version"].is_string())
        return pkg["version"].get<std::string>();
      return "N/A";
    }
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return "N/A";
}

/// PM2's watch as its pm2_env shows it: false, true, or the paths it was given.
nlohmann::json watch_json(const core::WatchSettings& w) {
  if (!w.enabled || w.paths.empty()) return w.enabled;
  return w.paths;
}

nlohmann::json restart_fields(const core::RestartPolicy& p) {
  return {{"autorestart", p.autorestart},
          {"restart_delay", p.restart_delay_ms},
          {"exp_backoff_restart_delay", p.exp_backoff_ms},
          {"max_restarts", p.max_restarts},
          {"min_uptime", p.min_uptime_ms},
          {"stop_exit_codes", p.stop_exit_codes},
          {"kill_timeout", p.kill_timeout_ms}};
}

std::string interpreter_name(const core::AppDecl& d) {
  if (d.command_string) return "/bin/sh";
  return d.interpreter.empty() ? "none" : d.interpreter;
}

}  // namespace

std::string app_user(const Context*) {
  const passwd* pw = getpwuid(geteuid());
  return pw ? pw->pw_name : std::to_string(geteuid());
}

std::string package_version(const core::AppDecl& decl) {
  namespace fs = std::filesystem;
  if (decl.command_string) return "N/A";
  // Apps of one project share a directory: look each one up once per command.
  static std::map<std::string, std::string> by_dir;
  const std::string start = fs::path(decl.script).parent_path().string();
  if (auto it = by_dir.find(start); it != by_dir.end()) return it->second;
  return by_dir[start] = version_above(start);
}

nlohmann::json pm2_process_json(const core::AppView& v, const std::string& username) {
  const core::AppDecl& d = v.record.decl;
  const bool running = v.state.main_pid != 0;
  nlohmann::json env = {
      {"status", core::status_word(v)},
      {"name", d.name},
      {"namespace", d.ns},
      {"pm_id", v.record.id},
      {"restart_time", v.restarts},
      {"unstable_restarts", 0},
      {"created_at", v.record.created_at_ms},
      {"pm_uptime", v.started_usec / 1000},
      {"exec_mode", std::string(core::exec_mode_of(d)) + "_mode"},
      {"instances", d.cluster.enabled ? d.cluster.instances : 1},
      {"instance_var", d.instance_var},
      {d.instance_var.empty() ? "NODE_APP_INSTANCE" : d.instance_var, v.record.instance},
      {"pm_exec_path", d.script},
      {"pm_cwd", d.cwd},
      {"exec_interpreter", interpreter_name(d)},
      {"interpreter_args", d.interpreter_args},
      {"node_args", d.interpreter_args},
      {"args", d.args},
      {"env", process_env(v.record)},
      {"username", d.user.empty() ? username : d.user},
      {"watch", watch_json(d.watch)},
      {"version", package_version(d)},
      {"unit", v.unit},
      {"exit_code", v.state.exec_main_code == 1 ? v.state.exec_main_status : 0}};
  env.update(restart_fields(d.restart));
  env["vizion"] = d.vizion;
  env["versioning"] = versioning_json(app_checkout(d));
  // PM2 copies the app's environment to the top level of pm2_env too; its own keys come first.
  for (const auto& [key, value] : d.env) env.emplace(key, value);
  if (d.cluster.enabled && !d.increment_var.empty()) env["increment_var"] = d.increment_var;
  if (!d.cron_restart.empty()) env["cron_restart"] = d.cron_restart;  // PM2's key, as declared
  if (!d.watch.ignore.empty()) env["ignore_watch"] = d.watch.ignore;
  if (d.watch.delay_ms != 0) env["watch_delay"] = d.watch.delay_ms;
  if (d.cluster.balanced()) {
    // pmctl's own: where this instance listens and where the app's public port is.
    env["pm_endpoint"] = v.record.endpoint;
    env["public_port"] = d.cluster.public_port;
  }
  // PM2's names for the instance's files (with the -<id> suffix when not merged); pmctl writes
  // files only where the declaration asks for them, so an absent key means "the journal only".
  const core::LogTargets files = core::log_targets(d.logs, v.record.id);
  if (!files.out.empty()) env["pm_out_log_path"] = files.out;
  if (!files.err.empty()) env["pm_err_log_path"] = files.err;
  if (!files.log.empty()) env["pm_log_path"] = files.log;
  if (!files.pid.empty()) env["pm_pid_path"] = files.pid;
  return {{"pid", running ? v.state.main_pid : 0},
          {"name", d.name},
          {"pm_id", v.record.id},
          {"monit", {{"memory", v.memory_bytes}, {"cpu", static_cast<int>(v.cpu_percent + 0.5)}}},
          {"pm2_env", env}};
}

}  // namespace pmctl::cli
