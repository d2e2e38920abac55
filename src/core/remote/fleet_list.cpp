#include "core/remote/fleet_list.hpp"

#include "core/text/format.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;

std::string text_of(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const json& v = j.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return v.is_null() ? "" : v.dump();
}

std::uint64_t number_of(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number()) return 0;
  const double d = j.at(key).get<double>();
  return d > 0 ? static_cast<std::uint64_t>(d) : 0;
}

json object_at(const json& j, const char* key) {
  return j.contains(key) && j.at(key).is_object() ? j.at(key) : json::object();
}

FleetRow row_of(const json& app, std::uint64_t now_ms) {
  const json env = object_at(app, "pm2_env");
  const json monit = object_at(app, "monit");
  FleetRow row;
  row.status = text_of(env, "status");
  const std::uint64_t started = number_of(env, "pm_uptime");
  const bool online = row.status == "online" && started && now_ms > started;
  std::string mode = text_of(env, "exec_mode");
  if (const auto cut = mode.rfind("_mode"); cut != std::string::npos) mode.erase(cut);
  const json watch = env.value("watch", json(false));
  row.watching = (watch == true || (watch.is_array() && !watch.empty())) && row.status != "stopped";
  row.cells = {text_of(app, "host"),
               text_of(app, "pm_id"),
               text_of(app, "name"),
               text_of(env, "namespace"),
               text_of(env, "version"),
               mode,
               text_of(app, "pid"),
               online ? format_uptime(now_ms - started) : "0",
               text_of(env, "restart_time"),
               row.status,
               format_cpu(static_cast<double>(number_of(monit, "cpu"))),
               format_memory(number_of(monit, "memory")),
               text_of(env, "username"),
               row.watching ? "enabled" : "disabled"};
  return row;
}

}  // namespace

json merged_jlist(const std::vector<std::pair<std::string, json>>& lists) {
  json out = json::array();
  for (const auto& [label, list] : lists) {
    if (!list.is_array()) continue;
    for (json app : list) {
      if (!app.is_object()) continue;
      app["host"] = label;
      out.push_back(std::move(app));
    }
  }
  return out;
}

std::vector<FleetRow> fleet_rows(const json& merged, std::uint64_t now_ms) {
  std::vector<FleetRow> rows;
  if (!merged.is_array()) return rows;
  for (const auto& app : merged)
    if (app.is_object()) rows.push_back(row_of(app, now_ms));
  return rows;
}

}  // namespace pmctl::core
