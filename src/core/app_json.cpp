#include "core/app_json.hpp"

#include <stdexcept>

namespace pmctl::core {
namespace {

using nlohmann::json;

void require_object(const json& j, const char* what) {
  if (!j.is_object()) throw std::invalid_argument(std::string(what) + " is not a JSON object");
}

/// Sets `out` from `j[key]` if present; a missing key keeps the default already in `out`.
template <typename T>
void read(const json& j, const char* key, T& out) {
  if (const auto it = j.find(key); it != j.end()) it->get_to(out);
}

void to_json_decl(json& j, const AppDecl& d) {
  j["name"] = d.name;
  j["namespace"] = d.ns;
  j["script"] = d.script;
  j["command_string"] = d.command_string;
  j["args"] = d.args;
  j["interpreter"] = d.interpreter;
  j["interpreter_args"] = d.interpreter_args;
  j["cwd"] = d.cwd;
  // The environment is kept in its own file (Registry::env_json_file): it is most of the bytes,
  // and `ls` must not parse every app's copy of a whole shell environment.
  j["restart"] = d.restart;
  j["logs"] = d.logs;
  j["user"] = d.user;
  j["group"] = d.group;
  j["max_memory_bytes"] = d.max_memory_bytes;
  j["autostart"] = d.autostart;
  j["treekill"] = d.treekill;
  j["instance_var"] = d.instance_var;
}

void from_json_decl(const json& j, AppDecl& d) {
  read(j, "name", d.name);
  read(j, "namespace", d.ns);
  read(j, "script", d.script);
  read(j, "command_string", d.command_string);
  read(j, "args", d.args);
  read(j, "interpreter", d.interpreter);
  read(j, "interpreter_args", d.interpreter_args);
  read(j, "cwd", d.cwd);
  read(j, "env", d.env);
  read(j, "restart", d.restart);
  read(j, "logs", d.logs);
  read(j, "user", d.user);
  read(j, "group", d.group);
  read(j, "max_memory_bytes", d.max_memory_bytes);
  read(j, "autostart", d.autostart);
  read(j, "treekill", d.treekill);
  read(j, "instance_var", d.instance_var);
}

}  // namespace

void to_json(json& j, const RestartPolicy& p) {
  j = json{{"autorestart", p.autorestart},        {"restart_delay_ms", p.restart_delay_ms},
           {"exp_backoff_ms", p.exp_backoff_ms},  {"max_restarts", p.max_restarts},
           {"min_uptime_ms", p.min_uptime_ms},    {"stop_exit_codes", p.stop_exit_codes},
           {"kill_timeout_ms", p.kill_timeout_ms}};
}

void from_json(const json& j, RestartPolicy& p) {
  require_object(j, "restart");
  read(j, "autorestart", p.autorestart);
  read(j, "restart_delay_ms", p.restart_delay_ms);
  read(j, "exp_backoff_ms", p.exp_backoff_ms);
  read(j, "max_restarts", p.max_restarts);
  read(j, "min_uptime_ms", p.min_uptime_ms);
  read(j, "stop_exit_codes", p.stop_exit_codes);
  read(j, "kill_timeout_ms", p.kill_timeout_ms);
}

void to_json(json& j, const LogSettings& l) {
  j = json{{"out_file", l.out_file},       {"error_file", l.error_file}, {"log_file", l.log_file},
           {"merge_logs", l.merge_logs},   {"date_format", l.date_format}, {"json", l.json},
           {"disabled", l.disabled},       {"pid_file", l.pid_file}};
}

void from_json(const json& j, LogSettings& l) {
  require_object(j, "logs");
  read(j, "out_file", l.out_file);
  read(j, "error_file", l.error_file);
  read(j, "log_file", l.log_file);
  read(j, "merge_logs", l.merge_logs);
  read(j, "date_format", l.date_format);
  read(j, "json", l.json);
  read(j, "disabled", l.disabled);
  read(j, "pid_file", l.pid_file);
}

// An app is one flat object: the declaration's fields next to the record's own.
void to_json(json& j, const AppRecord& r) {
  j = json::object();
  j["id"] = r.id;
  to_json_decl(j, r.decl);
  j["restarts"] = r.restarts;
  j["created_at_ms"] = r.created_at_ms;
  j["log_watermark_usec"] = r.log_watermark_usec;
}

void from_json(const json& j, AppRecord& r) {
  require_object(j, "app");
  read(j, "id", r.id);
  from_json_decl(j, r.decl);
  read(j, "restarts", r.restarts);
  read(j, "created_at_ms", r.created_at_ms);
  read(j, "log_watermark_usec", r.log_watermark_usec);
}

void to_json(json& j, const RegistryData& d) {
  j = json{{"version", kRegistryVersion}, {"next_id", d.next_id}, {"apps", d.apps}};
}

void from_json(const json& j, RegistryData& d) {
  require_object(j, "registry");
  read(j, "next_id", d.next_id);
  read(j, "apps", d.apps);
}

}  // namespace pmctl::core
