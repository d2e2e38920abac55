#pragma once

// What cluster mode asks the running system: free ports, the CPU count, whether an instance
// accepts connections yet, where runtime files go. Everything else about clusters is pure
// (cluster.hpp).

#include <chrono>
#include <cstdint>
#include <string>

#include "core/types/scope.hpp"

namespace pmctl::core {

/// Whether a listening socket could be bound to `address` (an IPv4 address such as
/// "0.0.0.0" or "127.0.0.1") and `port` now: false when something listens there.
bool tcp_port_free(const std::string& address, std::uint16_t port);

/// The lowest port an unprivileged process may bind (net.ipv4.ip_unprivileged_port_start,
/// 1024 when it cannot be read).
unsigned unprivileged_port_start();

/// Online CPUs, as PM2's os.cpus().length; at least 1.
unsigned online_cpus();

/// Whether a connection to the endpoint ("tcp:127.0.0.1:N" or "unix:/path") is accepted
/// within `timeout`.
bool endpoint_accepts(const std::string& endpoint, std::chrono::milliseconds timeout);

/// Where pmctl keeps runtime files its units read: /run/pmctl for the system manager,
/// $XDG_RUNTIME_DIR/pmctl for a user manager. $PMCTL_RUNTIME_DIR overrides both.
std::string default_runtime_dir(Scope scope);

/// The manager's runtime unit directory, where shared mode writes its unit files (gone at
/// reboot, like transient units): /run/systemd/system, or $XDG_RUNTIME_DIR/systemd/user. Throws
/// core::Error for a user manager without $XDG_RUNTIME_DIR.
std::string runtime_unit_dir(Scope scope);

}  // namespace pmctl::core
