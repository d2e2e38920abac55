#pragma once
// `pmctl -H a,b ls|jlist`: every host's PM2 jlist array made one, with the host in each app,
// and the cells of PM2's process table read back from it. Pure.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace pmctl::core {

/// Each host's jlist array (label, array) as one array whose objects carry "host": label;
/// anything in an array that is not an object is dropped.
nlohmann::json merged_jlist(const std::vector<std::pair<std::string, nlohmann::json>>& lists);

/// One row of the merged table: `cells` in the order of kFleetColumns; `status` and
/// `watching` again apart, for the caller's colours.
struct FleetRow {
  std::vector<std::string> cells;
  std::string status;
  bool watching = false;
};

/// host, then PM2's columns (ls's).
inline const std::vector<std::string> kFleetColumns = {
    "host",   "id", "name",   "namespace", "version", "mode", "pid",
    "uptime", "↺",  "status", "cpu",       "mem",     "user", "watching"};

/// The rows of a merged jlist; `now_ms` (this machine's clock) for the uptimes.
std::vector<FleetRow> fleet_rows(const nlohmann::json& merged, std::uint64_t now_ms);

}  // namespace pmctl::core
