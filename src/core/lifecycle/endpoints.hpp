#pragma once
// `pmctl metrics|web enable|disable|status`: the socket-activated endpoint's unit files
// (core/units/endpoint_units.hpp) written to the manager's unit directory, the socket enabled
// and started (for web, with fresh secrets: core/state/web_secrets.hpp); and undone exactly.
// Each is one transaction: a failure puts the files back.

#include <filesystem>
#include <string>

#include "core/lifecycle/deps.hpp"
#include "core/units/endpoint_units.hpp"

namespace pmctl::core {

struct EndpointStatus {
  bool installed = false;
  std::string listen;         ///< what the socket listens on, from its unit file
  std::string state;          ///< the socket's ActiveState
  std::string handler_state;  ///< metrics: its service's ActiveState (active while it is scraped)
  std::string unit_dir;       ///< where its files are
};

struct EndpointEnabled {
  std::string listen;  ///< what the socket listens on
  std::string token;   ///< web: the access token for non-loopback clients; "" for metrics
};

class HttpEndpoints {
 public:
  explicit HttpEndpoints(Deps& deps) : deps_(deps) {}

  /// Writes the endpoint's units (replacing earlier ones; web: and new secrets), reloads the
  /// manager, enables the socket at boot and (re)starts it on `settings`.
  EndpointEnabled enable(EndpointKind kind, const EndpointSettings& settings);
  /// Stops and disables the socket and removes its files; false when nothing was installed.
  bool disable(EndpointKind kind);
  EndpointStatus status(EndpointKind kind);

 private:
  std::filesystem::path unit_dir(EndpointKind kind, const std::string& command);
  void stop_handler(EndpointKind kind);
  Deps& deps_;
};

}  // namespace pmctl::core
