#pragma once
// Clocks, named after the clock they read: CLOCK_REALTIME for what is stored or compared with
// the journal (created_at, flush watermarks, start times from /proc), never for intervals.

#include <cstdint>

namespace pmctl::core {

/// Wall-clock now (CLOCK_REALTIME), in µs and ms since the epoch.
std::uint64_t realtime_usec();
std::uint64_t realtime_ms();

}  // namespace pmctl::core
