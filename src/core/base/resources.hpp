#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/types/scope.hpp"

namespace pmctl::core {

/// What the kernel accounts for one running app, read from cgroupfs and /proc (world-readable,
/// and much cheaper than asking PID 1, which would read the same files for us).
struct Usage {
  bool found = false;          ///< The cgroup directory exists (the unit has processes).
  std::uint64_t cpu_usec = 0;  ///< cpu.stat usage_usec of the app's cgroup
  std::uint64_t memory_bytes = 0;
  bool memory_from_proc = false;  ///< No memory controller: RSS summed from /proc.
  /// CLOCK_REALTIME µs when the cgroup's oldest process started (the unit's main process, since
  /// systemd starts it first), to clock-tick precision; 0 if unknown.
  std::uint64_t start_usec = 0;
  /// That oldest process: for a running Type=exec service, systemd's MainPID.
  std::uint32_t oldest_pid = 0;
};

/// Where cgroup2 is mounted: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid
/// ones.
std::string cgroup2_root();

/// The cgroup2 path of a process (the "0::" line of /proc/<pid>/cgroup), empty if it is gone.
std::string process_cgroup(std::uint32_t pid);

/// The cgroup of a service manager's units: the root for the system manager,
/// /user.slice/user-<uid>.slice/user@<uid>.service for a user manager ("" is the root).
std::string manager_cgroup(Scope scope, uid_t uid);

/// The cgroup systemd gives a pmctl unit: its slice is `pmctl-<name>.slice`, inside
/// `pmctl.slice`, inside the manager's own cgroup (the root for the system manager,
/// /user.slice/user-<uid>.slice/user@<uid>.service for a user manager).
std::string expected_unit_cgroup(Scope scope, uid_t uid, const std::string& slice,
                                 const std::string& unit);

/// The usage of one cgroup: cpu.stat's usage_usec, memory.current where the memory controller is
/// enabled, else the RSS of every process in the cgroup from /proc (as in the test sandbox,
/// whose host keeps the memory controller in cgroup v1).
Usage usage_of_cgroup(const std::string& control_group);

/// What one app instance holds in memory, as max_memory_restart measures it (pmctl-memguard).
struct Resident {
  bool found = false;  ///< The cgroup directory exists.
  std::uint64_t bytes = 0;
  bool from_proc = false;  ///< No memory controller: RSS summed from /proc.
};

/// Where the cgroup has a memory controller, memory.stat's `anon` + `file_mapped`: the pages its
/// processes have mapped, each counted once however many processes share it, without the page
/// cache that memory.current adds (the kernel reclaims that before it would hit MemoryMax=).
/// Else the RSS of every process in the cgroup, from /proc (shared pages counted per process).
Resident resident_of_cgroup(const std::string& control_group);

/// `anon` + `file_mapped` of a cgroup's memory.stat text; 0 for keys it does not have.
std::uint64_t resident_from_memory_stat(const std::string& text);

/// Whether cgroups below `control_group` can have a memory controller (it is listed in that
/// cgroup's cgroup.controllers): the manager's own cgroup, "" for the root.
bool memory_controller_available(const std::string& control_group);

}  // namespace pmctl::core
