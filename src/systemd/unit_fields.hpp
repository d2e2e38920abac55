#pragma once

#include <string>

#include "core/types/unit_state.hpp"

namespace pmctl::sd {

// The properties `Manager::query` reads per loaded unit, shared by the sd-bus path
// (sd_manager.cpp) and the private-socket path (wire_query.cpp). All live on the unit type's
// interface (org.freedesktop.systemd1.Service for services). CPU, memory, the cgroup path and
// the start time are not asked for: pmctl reads them from cgroupfs and /proc itself
// (core/resources.hpp), which spares PID 1 a read per property per unit.
enum class Field { MainPid, NRestarts, Result, ExecMainCode, ExecMainStatus, NextElapse };

/// When a property is worth a Get: each Get costs PID 1 about as much as a whole round trip,
/// so values that systemd's own rules fix in a given state are not asked for.
enum class Need {
  Always,
  /// MainPID: only while the unit may have processes. When inactive, failed or waiting to
  /// auto-restart, systemd reports 0, UnitState's default.
  Processes,
  /// ExecMainCode/Status describe the last exit: exec_status_start() zeroes them when the main
  /// process starts, so a running service has 0/0, UnitState's defaults. Result only matters
  /// for a unit that is not running (status and restart counting read it for failed units).
  LastExit,
  /// NextElapseUSecRealtime: only timers have it (companion timers, for `show`).
  Timer,
};

struct FieldInfo {
  Field field;
  const char* name;
  const char* signature;  ///< the D-Bus type of the value
  Need need;
};

inline constexpr FieldInfo kFields[] = {
    {Field::MainPid, "MainPID", "u", Need::Processes},
    {Field::NRestarts, "NRestarts", "u", Need::Always},
    {Field::Result, "Result", "s", Need::LastExit},
    {Field::ExecMainCode, "ExecMainCode", "i", Need::LastExit},
    {Field::ExecMainStatus, "ExecMainStatus", "i", Need::LastExit},
    {Field::NextElapse, "NextElapseUSecRealtime", "t", Need::Timer},
};

/// Whether `query` asks for `info` of a unit in `state` (loaded, with its active and sub
/// states already filled in). MainPID is asked for only when `main_pid` is true.
bool needed(const FieldInfo& info, const core::UnitState& state, bool main_pid);

/// "foo.service" -> "org.freedesktop.systemd1.Service".
std::string type_interface(const std::string& unit);

/// Stores an integer property's value in `state`.
void store(core::UnitState& state, Field field, std::uint32_t value);
void store(core::UnitState& state, Field field, std::uint64_t value);
/// Stores a string property's value in `state`.
void store(core::UnitState& state, Field field, const std::string& value);

}  // namespace pmctl::sd
