#pragma once

#include <sys/types.h>

namespace pmctl::balancer {

/// The first fd systemd passes (SD_LISTEN_FDS_START).
inline constexpr int kListenFdsStart = 3;

/// How many sockets LISTEN_PID/LISTEN_FDS pass to the process `self`, with sd_listen_fds(3)'s
/// rules: no LISTEN_PID, or one naming another process, means none; a malformed value throws.
int parse_listen_fds(const char* listen_pid, const char* listen_fds, pid_t self);

/// Reads and unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES, marks the passed fds
/// close-on-exec and non-blocking, and returns how many there are (from fd 3 on).
int take_listen_fds();

}  // namespace pmctl::balancer
