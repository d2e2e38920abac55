#pragma once
// What `ls`, `jlist` and `show` print: each registered instance with its unit's live state and
// its cgroup's figures. Reads only.

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/resources.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/model/app_record.hpp"
#include "core/model/status.hpp"

namespace pmctl::core {

/// One app as `ls`, `jlist` and `show` see it: what pmctl keeps plus what systemd says now.
struct AppView {
  AppRecord record;
  std::string unit;
  UnitState state;
  Status status = Status::Stopped;
  std::uint32_t restarts = 0;      ///< PM2's ↺: record.restarts + the unit's automatic restarts.
  std::uint64_t started_usec = 0;  ///< CLOCK_REALTIME µs the current run began; 0 unless online.
  std::uint64_t uptime_ms = 0;     ///< 0 unless online.
  double cpu_percent = 0;          ///< Average since the current run started (like ps).
  std::uint64_t cpu_usec = 0;      ///< The cgroup's CPU time so far (monit's rate between frames).
  std::uint64_t memory_bytes = 0;
  bool memory_from_proc = false;  ///< The cgroup has no memory controller: RSS from /proc.
  /// A command that changed the instance was killed half-way (record.pending, and no command
  /// runs now): `ls` says "incomplete" whatever the unit's state.
  bool incomplete = false;
};

/// The status word `ls` and `jlist` show: PM2's, or "incomplete".
inline std::string status_word(const AppView& v) {
  return v.incomplete ? "incomplete" : std::string(to_string(v.status));
}

class Views {
 public:
  explicit Views(Deps& deps) : deps_(deps) {}

  /// Live views of registered apps. Their environments are loaded only when asked for.
  std::vector<AppView> of(const std::vector<int>& ids);
  std::vector<AppView> of(const RegistryData& data, const std::vector<int>& ids);
  /// Whether any of `ids` (registered in `data`) is up (is_up).
  bool any_up(const RegistryData& data, const std::vector<int>& ids);

 private:
  void mark_incomplete(std::vector<AppView>& views);
  void fill(AppView& view, const UnitState& state, Usage usage, std::uint64_t now);

  Deps& deps_;
};

}  // namespace pmctl::core
