#include "core/units/endpoint_units.hpp"

#include <arpa/inet.h>

#include "core/types/error.hpp"
#include "core/units/unit_file.hpp"

namespace pmctl::core {
namespace {

constexpr std::uint64_t kSecond = 1'000'000;

UnitSpec metrics_socket(const EndpointSettings& settings) {
  UnitSpec socket{kMetricsSocket, {}, {}};
  socket.properties = {
      {"Description", std::string("pmctl: Prometheus metrics endpoint (GET /metrics, /json)")},
      {"Listen", std::vector<ListenAddress>{{"Stream", listen_stream(settings)}}},
      {"Accept", true},
      {"MaxConnections", std::uint32_t{16}},
      {"WantedBy", std::vector<std::string>{"sockets.target"}},
  };
  return socket;
}

// Read-only (ProtectSystem=strict): it reads the registry, the manager's unit properties over
// D-Bus, cgroup files and /proc, and writes one HTTP answer to its socket.
UnitSpec metrics_service(Scope scope, const std::string& pmctl) {
  const std::vector<std::string> argv = {pmctl, scope == Scope::User ? "--user" : "--system",
                                         "metrics", "serve"};
  UnitSpec service{kMetricsService, {}, {}};
  service.properties = {
      {"Description", std::string("pmctl: one metrics request")},
      {"CollectMode", std::string("inactive-or-failed")},
      {"ExecStartEx", std::vector<ExecCommand>{{pmctl, argv, {"no-env-expand"}}}},
      {"StandardInput", std::string("socket")},
      {"StandardOutput", std::string("socket")},
      {"StandardError", std::string("journal")},
      {"RuntimeMaxUSec", 10 * kSecond},
      {"NoNewPrivileges", true},
      {"ProtectSystem", std::string("strict")},
      {"ProtectHome", std::string("read-only")},
      // No PrivateTmp=: it hides /tmp and /var/tmp, where a pmctl run from a build tree (the
      // tests, CI's clone under /var/tmp) lives; the service writes nothing there.
      {"PrivateDevices", true},
      {"PrivateNetwork", true},
      {"ProtectKernelTunables", true},
      {"ProtectKernelModules", true},
      {"ProtectKernelLogs", true},
      {"ProtectControlGroups", true},
      {"ProtectClock", true},
      {"ProtectHostname", true},
      {"RestrictRealtime", true},
      {"RestrictSUIDSGID", true},
      {"LockPersonality", true},
      {"MemoryDenyWriteExecute", true},
      {"RestrictAddressFamilies", NameList{true, {"AF_UNIX"}}},
      {"SystemCallArchitectures", std::vector<std::string>{"native"}},
  };
  return service;
}

}  // namespace

bool is_loopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return address == "::1";
}

std::string listen_stream(const EndpointSettings& settings) {
  in_addr v4{};
  in6_addr v6{};
  if (settings.port == 0) throw Error("port 0 is no port to listen on", "pass --port 1-65535");
  if (inet_pton(AF_INET, settings.address.c_str(), &v4) == 1)
    return settings.address + ":" + std::to_string(settings.port);
  if (inet_pton(AF_INET6, settings.address.c_str(), &v6) == 1)
    return "[" + settings.address + "]:" + std::to_string(settings.port);
  throw Error("'" + settings.address + "' is not an IP address",
              "pass --address 127.0.0.1, ::1, 0.0.0.0 or an address of this host");
}

std::vector<GeneratedFile> metrics_unit_files(const EndpointSettings& settings, Scope scope,
                                              const std::string& pmctl) {
  const std::string header =
      "Written by 'pmctl metrics enable'; 'pmctl metrics disable' removes it.";
  return {{kMetricsSocket, render_unit_file(metrics_socket(settings), header)},
          {kMetricsService, render_unit_file(metrics_service(scope, pmctl), header)}};
}

}  // namespace pmctl::core
