#include "core/fields/field_table.hpp"

namespace pmctl::core {

// One table, so that "is every field handled?" has one place to look. What pmctl does with each
// field is in docs/ecosystem-fields.md and in app_fields.cpp.
const std::vector<FieldSpec>& field_table() {
  static const std::vector<FieldSpec> table = {
      {"script", {"exec", "cmd", "command"}},
      {"name", {}},
      {"namespace", {}},
      {"cwd", {}},
      {"args", {}},
      {"interpreter", {"exec_interpreter"}},
      {"interpreter_args", {"node_args"}},
      {"instances", {}},
      {"exec_mode", {}},
      {"env", {}},
      {"filter_env", {}},
      {"port", {}},
      {"watch", {}},
      {"ignore_watch", {}},
      {"watch_delay", {}},
      {"watch_options", {}},
      {"max_memory_restart", {}},
      {"autorestart", {}},
      {"autostart", {}},
      {"restart_delay", {}},
      {"exp_backoff_restart_delay", {}},
      {"min_uptime", {}},
      {"max_restarts", {}},
      {"stop_exit_codes", {}},
      {"kill_timeout", {}},
      {"kill_retry_time", {}},
      {"shutdown_with_message", {}},
      {"treekill", {}},
      {"listen_timeout", {}},
      {"wait_ready", {}},
      {"cron_restart", {"cron"}},
      {"out_file", {"out", "output", "out_log"}},
      {"error_file", {"error", "err", "err_file", "err_log"}},
      {"log_file", {"log"}},
      {"merge_logs", {"combine_logs"}},
      {"log_date_format", {}},
      {"time", {}},
      {"log_type", {}},
      {"disable_logs", {}},
      {"journal", {}},  // pmctl's own: false = systemd appends to the files, no journal
      {"pid_file", {"pid"}},
      {"instance_var", {}},
      {"increment_var", {}},
      {"instance_endpoint", {}},  // pmctl's own: tcp | unix
      {"lb_policy", {}},          // pmctl's own: rr | leastconn
      {"lb", {}},                 // pmctl's own: proxy | shared
      {"uid", {"user"}},
      {"gid", {}},
      {"source_map_support", {}},
      {"disable_source_map_support", {}},
      {"vizion", {}},
      {"post_update", {}},
      {"force", {}},
      {"append_env_to_name", {}},
      {"execute_command", {}},
      {"username", {}},
      {"windowsHide", {}},
      {"pmx", {}},
      {"automation", {}},
      {"trace", {}},
      {"disable_trace", {}},
      {"v8", {}},
      {"event_loop_inspector", {}},
      {"deep_monitoring", {}},
      {"io", {}},
      {"install_url", {}},
      {"name_prefix", {}},
      {"write", {}},
  };
  return table;
}

std::string camel_case(std::string_view snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_' && !out.empty()) {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

}  // namespace pmctl::core
