#include "core/units/endpoint_units.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "core/types/error.hpp"
#include "core/units/balancer_units.hpp"
#include "core/units/unit_file.hpp"

namespace pmctl::core {
namespace {

constexpr std::uint64_t kSecond = 1'000'000;

UnitSpec endpoint_socket(EndpointKind kind, const EndpointSettings& settings) {
  const EndpointNames& names = endpoint_names(kind);
  UnitSpec socket{names.socket, {}, {}};
  socket.properties = {
      {"Description", std::string(kind == EndpointKind::Metrics
                                      ? "pmctl: Prometheus metrics endpoint (GET /metrics, /json)"
                                      : "pmctl: web dashboard")},
      {"Listen", std::vector<ListenAddress>{{"Stream", listen_stream(settings)}}},
      {"Accept", kind == EndpointKind::Web},
  };
  if (kind == EndpointKind::Web) socket.properties.push_back({"MaxConnections", std::uint32_t{16}});
  socket.properties.push_back({"WantedBy", std::vector<std::string>{"sockets.target"}});
  return socket;
}

// One handler for many scrapes, started by the first connection, gone after `idle_seconds`
// without one. No start limit: a scraper slower than the idle timeout starts it every time.
std::vector<Property> metrics_service(const EndpointSettings& settings, Scope scope,
                                      const std::string& pmctl) {
  const std::vector<std::string> argv = {pmctl,
                                         scope == Scope::User ? "--user" : "--system",
                                         "metrics",
                                         "serve",
                                         "--idle-timeout",
                                         std::to_string(settings.idle_seconds)};
  return {
      {"Description", std::string("pmctl: metrics endpoint (exits after ") +
                          std::to_string(settings.idle_seconds) + " s without a request)"},
      {"CollectMode", std::string("inactive-or-failed")},
      {"StartLimitIntervalUSec", std::uint64_t{0}},
      {"ExecStartEx", std::vector<ExecCommand>{{pmctl, argv, {"no-env-expand"}}}},
      {"StandardError", std::string("journal")},
  };
}

std::vector<Property> web_service(Scope scope, const std::string& pmctl) {
  const std::vector<std::string> argv = {pmctl, scope == Scope::User ? "--user" : "--system", "web",
                                         "serve"};
  return {
      {"Description", std::string("pmctl: one web request")},
      {"CollectMode", std::string("inactive-or-failed")},
      {"ExecStartEx", std::vector<ExecCommand>{{pmctl, argv, {"no-env-expand"}}}},
      {"StandardInput", std::string("socket")},
      {"StandardOutput", std::string("socket")},
      {"StandardError", std::string("journal")},
      // An action waits for what it does (a rolling restart: listen_timeout per instance).
      {"RuntimeMaxUSec", 300 * kSecond},
  };
}

UnitSpec endpoint_service(EndpointKind kind, const EndpointSettings& settings, Scope scope,
                          const std::string& pmctl) {
  const bool metrics = kind == EndpointKind::Metrics;
  UnitSpec service{endpoint_names(kind).service, {}, {}};
  service.properties =
      metrics ? metrics_service(settings, scope, pmctl) : web_service(scope, pmctl);
  const auto hardening = metrics ? metrics_hardening(scope) : web_hardening(scope);
  service.properties.insert(service.properties.end(), hardening.begin(), hardening.end());
  return service;
}

/// `props` without the properties named in `drop`, with `set`'s values replacing or appended.
std::vector<Property> adjusted(std::vector<Property> props, const std::vector<std::string>& drop,
                               const std::vector<Property>& set) {
  std::erase_if(props, [&](const Property& p) {
    return std::find(drop.begin(), drop.end(), p.name) != drop.end();
  });
  for (const auto& s : set) {
    auto it = std::find_if(props.begin(), props.end(),
                           [&](const Property& p) { return p.name == s.name; });
    if (it == props.end())
      props.push_back(s);
    else
      it->value = s.value;
  }
  return props;
}

}  // namespace

const EndpointNames& endpoint_names(EndpointKind kind) {
  static const EndpointNames metrics{"metrics", kMetricsSocket, kMetricsService, kMetricsPort};
  static const EndpointNames web{"web", kWebSocket, kWebService, kWebPort};
  return kind == EndpointKind::Metrics ? metrics : web;
}

// The balancer's, except: no DynamicUser= (it reads the registry, owned by the manager's user)
// and no PrivateTmp= (it would hide a pmctl run from /tmp or /var/tmp, as the tests and CI's
// clone are); the home read-only rather than hidden (a pmctl there); no network but the socket
// systemd hands it and D-Bus.
std::vector<Property> metrics_hardening(Scope scope) {
  return adjusted(balancer_hardening(scope),
                  {"DynamicUser", "PrivateTmp", "ProtectProc", "ProcSubset"},
                  {{"ProtectHome", std::string("read-only")},
                   {"RestrictAddressFamilies", NameList{true, {"AF_UNIX"}}},
                   {"PrivateNetwork", true}});
}

// The web service acts: pmctl's own verbs, as the manager's user. So it keeps what they need:
// writable state and runtime directories and /run/systemd (ProtectSystem=full: /usr, /boot and
// /etc read-only, not strict), the network (a rolling restart checks each instance's port),
// the capabilities root uses on files it gives to an app's user (chown, and reading an app's
// files as root), and the real user ids (no PrivateUsers=: the apps' users must exist).
std::vector<Property> web_hardening(Scope scope) {
  std::vector<Property> props =
      adjusted(balancer_hardening(scope),
               {"DynamicUser", "PrivateTmp", "PrivateUsers", "ProtectProc", "ProcSubset",
                "AmbientCapabilities", "ProtectHome"},
               {});
  if (scope == Scope::User) return props;  // a user's state is in their home: writable
  return adjusted(std::move(props), {},
                  {{"ProtectHome", std::string("read-only")},
                   {"ProtectSystem", std::string("full")},
                   {"CapabilityBoundingSet",
                    std::uint64_t{(1ULL << 0) | (1ULL << 1) | (1ULL << 2) |
                                  (1ULL << 3)}}});  // CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER
}

bool is_loopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  if (address.starts_with("::ffff:")) return is_loopback(address.substr(7));
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

std::vector<GeneratedFile> endpoint_unit_files(EndpointKind kind, const EndpointSettings& settings,
                                               Scope scope, const std::string& pmctl) {
  const EndpointNames& names = endpoint_names(kind);
  const std::string header = std::string("Written by 'pmctl ") + names.verb + " enable'; 'pmctl " +
                             names.verb + " disable' removes it.";
  return {
      {names.socket, render_unit_file(endpoint_socket(kind, settings), header)},
      {names.service, render_unit_file(endpoint_service(kind, settings, scope, pmctl), header)}};
}

}  // namespace pmctl::core
