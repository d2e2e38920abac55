#pragma once
// `pmctl metrics enable|disable|status`: the socket-activated endpoint's unit files
// (core/units/endpoint_units.hpp) written to the manager's unit directory, the socket enabled
// and started; and undone exactly. Each is one transaction: a failure puts the files back.

#include <filesystem>
#include <string>

#include "core/lifecycle/deps.hpp"
#include "core/units/endpoint_units.hpp"

namespace pmctl::core {

struct EndpointStatus {
  bool installed = false;
  std::string listen;    ///< what the socket listens on, from its unit file
  std::string state;     ///< the socket's ActiveState
  std::string unit_dir;  ///< where its files are
};

class HttpEndpoints {
 public:
  explicit HttpEndpoints(Deps& deps) : deps_(deps) {}

  /// Writes the metrics units (replacing earlier ones), reloads the manager, enables the socket
  /// at boot and (re)starts it on `settings`; what it listens on.
  std::string enable_metrics(const EndpointSettings& settings);
  /// Stops and disables the socket and removes the files; false when nothing was installed.
  bool disable_metrics();
  EndpointStatus metrics_status();

 private:
  std::filesystem::path unit_dir(const std::string& command);
  Deps& deps_;
};

}  // namespace pmctl::core
