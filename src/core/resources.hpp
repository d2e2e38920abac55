#pragma once

#include <cstdint>
#include <string>

namespace pmctl::core {

/// Resident memory of every process in a unit's cgroup, summed from /proc/<pid>/statm. Used
/// where the cgroup has no memory controller (MemoryCurrent unknown), as in the test sandbox
/// whose host keeps the memory controller in cgroup v1. `cgroup_root` is where cgroup2 is
/// mounted. Processes that exit while being read are skipped.
std::uint64_t cgroup_rss_bytes(const std::string& cgroup_root, const std::string& control_group);

/// Where cgroup2 is mounted: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones.
std::string cgroup2_root();

/// RSS of one process, 0 if it is gone.
std::uint64_t process_rss_bytes(std::uint32_t pid);

}  // namespace pmctl::core
