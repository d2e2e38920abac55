#pragma once
// Clocks, named after the clock they read: CLOCK_REALTIME for what is stored or compared with
// the journal (created_at, flush watermarks, start times from /proc), never for intervals.

#include <cstdint>
#include <string>

namespace pmctl::core {

/// Wall-clock now (CLOCK_REALTIME), in µs and ms since the epoch.
std::uint64_t realtime_usec();
std::uint64_t realtime_ms();

/// This boot's id (/proc/sys/kernel/random/boot_id, read once per process), "" if unreadable.
const std::string& current_boot_id();

}  // namespace pmctl::core
