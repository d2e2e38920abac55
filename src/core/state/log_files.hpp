#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/units/log_mapping.hpp"

namespace pmctl::core {

/// The name pmctl-logwriter has in /proc/<pid>/comm (15 characters: the kernel's limit).
inline constexpr const char* kLogWriterComm = "pmctl-logwriter";

/// Empties an instance's log files (pmctl flush); the writer appends, so it carries on at the
/// new end. Returns the files that exist and were emptied; throws core::Error if one cannot be.
std::vector<std::string> truncate_log_files(const LogTargets& targets);

/// Creates the missing directories of an instance's log files (for `journal: false`, whose files
/// are the only store: a path that cannot be made fails the start). Throws core::Error if one
/// cannot be.
void create_log_dirs(const LogTargets& targets);

/// Sends SIGUSR2 to every pmctl-logwriter in `control_group` (relative to the cgroup2 root), so
/// it reopens its files; never to any other process. Returns how many were signalled.
std::size_t signal_log_writers(const std::string& control_group);

}  // namespace pmctl::core
