#include "core/model/app_json.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace pmctl::core {
namespace {

using nlohmann::json;

void require_object(const json& j, const char* what) {
  if (!j.is_object()) throw std::invalid_argument(std::string(what) + " is not a JSON object");
}

template <typename T>
struct IsIntVector : std::false_type {};
template <typename T>
struct IsIntVector<std::vector<T>> : std::bool_constant<std::is_integral_v<T>> {};

/// Throws std::invalid_argument unless `v` is a whole number that `T` holds: nlohmann converts
/// a float or an out-of-range number without a check (a float beyond the type is undefined
/// behaviour, UBSan's float-cast-overflow: found with the registry fuzz target under UBSan).
template <typename T>
void check_whole(const json& v, const char* key) {
  if (!v.is_number()) return;  // another type: get_to throws type_error, as before
  bool fits = false;
  if (v.is_number_unsigned())
    fits = std::in_range<T>(v.get<std::uint64_t>());
  else if (v.is_number_integer())
    fits = std::in_range<T>(v.get<std::int64_t>());
  if (!fits)
    throw std::invalid_argument(std::string(key) + " " + v.dump() +
                                " is not a whole number in range");
}

/// Sets `out` from `j[key]` if present; a missing key keeps the default already in `out`.
template <typename T>
void read(const json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) check_whole<T>(*it, key);
  if constexpr (IsIntVector<T>::value)
    if (it->is_array())
      for (const auto& item : *it) check_whole<typename T::value_type>(item, key);
  it->get_to(out);
}

/// Writes `j[key]` only when `value` differs from the default a reader starts from: most apps
/// keep most defaults, and `ls` parses every app's record, so the bytes not written are time
/// saved on every command.
template <typename T>
void put(json& j, const char* key, const T& value, const T& fallback) {
  if (!(value == fallback)) j[key] = value;
}

/// Sets `out` from the word at `j[key]` if present. An unknown word keeps the default in fork
/// mode, which never reads these settings: older pmctl stored a fork app's instance_endpoint,
/// lb_policy and lb unchecked. A cluster app's was checked, so there it means a damaged file.
template <typename E>
void read_word(const json& j, const char* key, std::optional<E> (*from_string)(std::string_view),
               bool cluster, E& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  const auto word = it->get<std::string>();
  if (const auto value = from_string(word))
    out = *value;
  else if (cluster)
    throw std::invalid_argument("cluster " + std::string(key) + " '" + word + "' is unknown");
}

void to_json_decl(json& j, const AppDecl& d) {
  static const AppDecl defaults;
  j["name"] = d.name;
  put(j, "namespace", d.ns, defaults.ns);
  j["script"] = d.script;
  put(j, "command_string", d.command_string, defaults.command_string);
  put(j, "args", d.args, defaults.args);
  put(j, "interpreter", d.interpreter, defaults.interpreter);
  put(j, "interpreter_args", d.interpreter_args, defaults.interpreter_args);
  j["cwd"] = d.cwd;
  // The environment is kept in its own file (Registry::env_json_file): it is most of the bytes,
  // and `ls` must not parse every app's copy of a whole shell environment.
  put(j, "restart", d.restart, defaults.restart);
  put(j, "logs", d.logs, defaults.logs);
  put(j, "user", d.user, defaults.user);
  put(j, "group", d.group, defaults.group);
  put(j, "max_memory_bytes", d.max_memory_bytes, defaults.max_memory_bytes);
  put(j, "autostart", d.autostart, defaults.autostart);
  put(j, "treekill", d.treekill, defaults.treekill);
  put(j, "vizion", d.vizion, defaults.vizion);
  put(j, "instance_var", d.instance_var, defaults.instance_var);
  put(j, "increment_var", d.increment_var, defaults.increment_var);
  put(j, "cluster", d.cluster, defaults.cluster);
  put(j, "wait_ready", d.wait_ready, defaults.wait_ready);
  put(j, "node_shim", d.node_shim, defaults.node_shim);
  put(j, "source_maps", d.source_maps, defaults.source_maps);
  put(j, "listen_timeout_ms", d.listen_timeout_ms, defaults.listen_timeout_ms);
  put(j, "shutdown_with_message", d.shutdown_with_message, defaults.shutdown_with_message);
  put(j, "cron_restart", d.cron_restart, defaults.cron_restart);
  put(j, "watch", d.watch, defaults.watch);
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
  read(j, "vizion", d.vizion);
  read(j, "instance_var", d.instance_var);
  read(j, "increment_var", d.increment_var);
  read(j, "cluster", d.cluster);
  read(j, "wait_ready", d.wait_ready);
  read(j, "node_shim", d.node_shim);
  read(j, "source_maps", d.source_maps);
  read(j, "listen_timeout_ms", d.listen_timeout_ms);
  read(j, "shutdown_with_message", d.shutdown_with_message);
  read(j, "cron_restart", d.cron_restart);
  read(j, "watch", d.watch);
}

}  // namespace

void to_json(json& j, const RestartPolicy& p) {
  static const RestartPolicy d;
  j = json::object();
  put(j, "autorestart", p.autorestart, d.autorestart);
  put(j, "restart_delay_ms", p.restart_delay_ms, d.restart_delay_ms);
  put(j, "exp_backoff_ms", p.exp_backoff_ms, d.exp_backoff_ms);
  put(j, "max_restarts", p.max_restarts, d.max_restarts);
  put(j, "min_uptime_ms", p.min_uptime_ms, d.min_uptime_ms);
  put(j, "stop_exit_codes", p.stop_exit_codes, d.stop_exit_codes);
  put(j, "kill_timeout_ms", p.kill_timeout_ms, d.kill_timeout_ms);
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
  static const LogSettings d;
  j = json::object();
  put(j, "out_file", l.out_file, d.out_file);
  put(j, "error_file", l.error_file, d.error_file);
  put(j, "log_file", l.log_file, d.log_file);
  put(j, "merge_logs", l.merge_logs, d.merge_logs);
  put(j, "date_format", l.date_format, d.date_format);
  put(j, "json", l.json, d.json);
  put(j, "disabled", l.disabled, d.disabled);
  put(j, "journal", l.journal, d.journal);
  put(j, "pid_file", l.pid_file, d.pid_file);
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
  read(j, "journal", l.journal);
  read(j, "pid_file", l.pid_file);
}

void to_json(json& j, const ClusterSettings& c) {
  j = json{{"enabled", c.enabled},          {"instances", c.instances},
           {"public_port", c.public_port},  {"endpoints", to_string(c.endpoints)},
           {"policy", to_string(c.policy)}, {"lb", to_string(c.lb)}};
  if (c.fork) j["fork"] = true;  // absent in registries from before pools
}

void from_json(const json& j, ClusterSettings& c) {
  require_object(j, "cluster");
  read(j, "enabled", c.enabled);
  read(j, "instances", c.instances);
  read(j, "public_port", c.public_port);
  read_word(j, "endpoints", endpoints_from_string, c.enabled, c.endpoints);
  read_word(j, "policy", policy_from_string, c.enabled, c.policy);
  read_word(j, "lb", lb_mode_from_string, c.enabled, c.lb);
  read(j, "fork", c.fork);
}

void to_json(json& j, const WatchSettings& w) {
  static const WatchSettings d;
  j = json{{"enabled", w.enabled}};
  put(j, "paths", w.paths, d.paths);
  put(j, "ignore", w.ignore, d.ignore);
  put(j, "delay_ms", w.delay_ms, d.delay_ms);
  put(j, "follow_symlinks", w.follow_symlinks, d.follow_symlinks);
}

void from_json(const json& j, WatchSettings& w) {
  require_object(j, "watch");
  read(j, "enabled", w.enabled);
  read(j, "paths", w.paths);
  read(j, "ignore", w.ignore);
  read(j, "delay_ms", w.delay_ms);
  read(j, "follow_symlinks", w.follow_symlinks);
}

// An app is one flat object: the declaration's fields next to the record's own.
void to_json(json& j, const AppRecord& r) {
  j = json::object();
  j["id"] = r.id;
  to_json_decl(j, r.decl);
  put(j, "restarts", r.restarts, 0u);
  put(j, "restarts_hidden", r.restarts_hidden, 0u);
  j["created_at_ms"] = r.created_at_ms;
  put(j, "log_watermark_usec", r.log_watermark_usec, std::uint64_t{0});
  put(j, "instance", r.instance, 0);
  put(j, "endpoint", r.endpoint, std::string());
  put(j, "slot", static_cast<int>(r.slot), 0);
  put(j, "pending", r.pending, std::string());
  put(j, "boot_id", r.boot_id, std::string());
}

void from_json(const json& j, AppRecord& r) {
  require_object(j, "app");
  read(j, "id", r.id);
  from_json_decl(j, r.decl);
  read(j, "restarts", r.restarts);
  read(j, "restarts_hidden", r.restarts_hidden);
  read(j, "created_at_ms", r.created_at_ms);
  read(j, "log_watermark_usec", r.log_watermark_usec);
  read(j, "instance", r.instance);
  read(j, "endpoint", r.endpoint);
  int slot = static_cast<int>(r.slot);
  read(j, "slot", slot);
  if (slot < static_cast<int>(Slot::A) || slot > static_cast<int>(Slot::Saved))
    throw std::invalid_argument("slot " + std::to_string(slot) + " is not 0, 1 or 2");
  r.slot = static_cast<Slot>(slot);
  read(j, "pending", r.pending);
  read(j, "boot_id", r.boot_id);
}

void to_json(json& j, const RegistryData& d) {
  j = json{{"version", kRegistryVersion}, {"next_id", d.next_id}, {"apps", d.apps}};
}

int int_field(const json& j, const char* key, int absent) {
  int value = absent;
  if (j.is_object()) read(j, key, value);
  return value;
}

void from_json(const json& j, RegistryData& d) {
  require_object(j, "registry");
  read(j, "next_id", d.next_id);
  read(j, "apps", d.apps);
}

}  // namespace pmctl::core
