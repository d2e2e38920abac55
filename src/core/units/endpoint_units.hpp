#pragma once
// pmctl's socket-activated HTTP endpoints as unit files (a pure renderer): `pmctl metrics enable`
// writes pmctl-metrics.socket, which systemd listens on, and pmctl-metrics.service (Accept=no),
// which the first connection starts: `pmctl metrics serve` answers connections on the listening
// socket systemd hands it and exits after an idle timeout, so a scraper pays for starting it once,
// not per scrape, and nothing runs while nobody asks. `pmctl web enable` writes pmctl-web.socket
// and the template pmctl-web@.service, one instance per connection (Accept=yes) that runs
// `pmctl web serve` with the connection as stdin and stdout and exits. docs/observability.md.

#include <cstdint>
#include <string>
#include <vector>

#include "core/types/scope.hpp"
#include "core/units/boot_units.hpp"

namespace pmctl::core {

/// Which endpoint: `pmctl metrics` (Prometheus, read-only) or `pmctl web` (the dashboard,
/// which acts on the manager).
enum class EndpointKind { Metrics, Web };

/// The metrics endpoint's default port (PM2's `pm2 web` JSON interface has 9615).
inline constexpr std::uint16_t kMetricsPort = 9616;
inline constexpr std::uint16_t kWebPort = 9617;
/// How long the metrics handler waits for the next connection before it exits: longer than
/// Prometheus's usual 15 s scrape interval, so a steady scraper finds it running.
inline constexpr std::uint32_t kMetricsIdleSeconds = 30;
inline constexpr const char* kMetricsSocket = "pmctl-metrics.socket";
inline constexpr const char* kMetricsService = "pmctl-metrics.service";
inline constexpr const char* kWebSocket = "pmctl-web.socket";
inline constexpr const char* kWebService = "pmctl-web@.service";

/// An endpoint's verb ("metrics", "web"), unit names and default port.
struct EndpointNames {
  const char* verb;
  const char* socket;
  const char* service;
  std::uint16_t port;
};
const EndpointNames& endpoint_names(EndpointKind kind);

struct EndpointSettings {
  std::string address = "127.0.0.1";  ///< an IPv4 or IPv6 literal
  std::uint16_t port = kMetricsPort;
  std::uint32_t idle_seconds = kMetricsIdleSeconds;  ///< metrics only: the handler's idle timeout
  bool operator==(const EndpointSettings&) const = default;
};

/// `address` and `port` as systemd's ListenStream= takes them: "127.0.0.1:9616", "[::1]:9616".
/// Throws core::Error for an address that is no IP literal or port 0.
std::string listen_stream(const EndpointSettings& settings);

/// Whether `address` is a loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z).
bool is_loopback(const std::string& address);

/// The socket and the service of an endpoint (web: a per-connection template), for `scope`'s unit
/// directory, running `pmctl` (absolute). Both services are hardened (docs/observability.md,
/// "Hardening"): the metrics one as the balancer, read-only, without a network; the web one as
/// far as acting on the manager allows.
std::vector<GeneratedFile> endpoint_unit_files(EndpointKind kind, const EndpointSettings& settings,
                                               Scope scope, const std::string& pmctl);

/// The metrics service's hardening, and the web service's (unit tests show each exception).
std::vector<Property> metrics_hardening(Scope scope);
std::vector<Property> web_hardening(Scope scope);

}  // namespace pmctl::core
