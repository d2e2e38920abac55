#pragma once

#include <cstdint>
#include <string>

namespace pmctl::core {

/// What systemd says of one unit right now, read live (never cached). Plain data filled by the
/// systemd layer; an unloaded unit has loaded == false and everything else at its default.
/// CPU, memory and start time are not here: they come straight from cgroupfs and /proc
/// (core/resources.hpp), which spares PID 1 a read per property per unit.
struct UnitState {
  std::string name;
  bool loaded = false;
  std::string active_state;  ///< active, activating, deactivating, failed, inactive
  std::string sub_state;     ///< running, auto-restart, start-pre, failed, dead, ...
  std::string result;        ///< success, exit-code, signal, timeout, start-limit-hit, ...
  std::uint32_t main_pid = 0;
  std::uint32_t n_restarts = 0;
  std::int32_t exec_main_code = 0;    ///< CLD_EXITED=1, CLD_KILLED=2, CLD_DUMPED=3
  std::int32_t exec_main_status = 0;  ///< exit code or signal number
  /// A timer's next elapse, CLOCK_REALTIME in µs (NextElapseUSecRealtime); 0 for other units,
  /// and for a timer that will not elapse again.
  std::uint64_t next_elapse_usec = 0;
};

}  // namespace pmctl::core
