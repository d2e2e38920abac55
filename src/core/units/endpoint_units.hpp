#pragma once
// pmctl's socket-activated HTTP endpoints as unit files (a pure renderer): `pmctl metrics enable`
// writes pmctl-metrics.socket, which systemd listens on, and the template service
// pmctl-metrics@.service, one instance per connection (Accept=yes) that runs
// `pmctl metrics serve` with the connection as its stdin and stdout and exits. Nothing of pmctl
// runs between requests. docs/observability.md.

#include <cstdint>
#include <string>
#include <vector>

#include "core/types/scope.hpp"
#include "core/units/boot_units.hpp"

namespace pmctl::core {

/// The metrics endpoint's default port (PM2's `pm2 web` JSON interface has 9615).
inline constexpr std::uint16_t kMetricsPort = 9616;
inline constexpr const char* kMetricsSocket = "pmctl-metrics.socket";
inline constexpr const char* kMetricsService = "pmctl-metrics@.service";

struct EndpointSettings {
  std::string address = "127.0.0.1";  ///< an IPv4 or IPv6 literal
  std::uint16_t port = kMetricsPort;
  bool operator==(const EndpointSettings&) const = default;
};

/// `address` and `port` as systemd's ListenStream= takes them: "127.0.0.1:9616", "[::1]:9616".
/// Throws core::Error for an address that is no IP literal or port 0.
std::string listen_stream(const EndpointSettings& settings);

/// Whether `address` is a loopback address (127.0.0.0/8, ::1).
bool is_loopback(const std::string& address);

/// The socket and the per-connection template service of the metrics endpoint, for `scope`'s
/// unit directory, running `pmctl` (absolute). The service is read-only and hardened
/// (docs/observability.md, "Hardening").
std::vector<GeneratedFile> metrics_unit_files(const EndpointSettings& settings, Scope scope,
                                              const std::string& pmctl);

}  // namespace pmctl::core
