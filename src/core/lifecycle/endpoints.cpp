#include "core/lifecycle/endpoints.hpp"

#include <unistd.h>

#include "core/base/files.hpp"
#include "core/base/on_failure.hpp"
#include "core/state/file_undo.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

/// The value of the first `key=` line of a unit file's text.
std::string setting_of(const std::string& text, const std::string& key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end - pos);
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "";
}

}  // namespace

fs::path HttpEndpoints::unit_dir(const std::string& command) {
  if (deps_.scope == Scope::System && geteuid() != 0)
    throw Error("'pmctl metrics " + command + "' for the system manager needs root",
                "run: sudo pmctl metrics " + command + " (or 'pmctl --user metrics " + command +
                    "' for your own user manager)");
  if (deps_.tools().boot_unit_dir.empty())
    throw Error("no directory for unit files: $HOME is not set", "set HOME, or run as root");
  return deps_.tools().boot_unit_dir;
}

std::string HttpEndpoints::enable_metrics(const EndpointSettings& settings) {
  const fs::path dir = unit_dir("enable");
  const auto files = metrics_unit_files(settings, deps_.scope, deps_.pmctl_binary());
  FileUndo undo;
  const OnFailure put_back([&] {
    undo.roll_back();
    deps_.manager.reload_daemon();
  });
  for (const auto& f : files) undo.write(dir / f.name, f.text, 0644);
  deps_.manager.reload_daemon();
  deps_.manager.enable_unit_files({kMetricsSocket});
  deps_.manager.restart(kMetricsSocket);  // a changed address takes effect now
  return listen_stream(settings);
}

bool HttpEndpoints::disable_metrics() {
  const fs::path dir = unit_dir("disable");
  if (!fs::exists(dir / kMetricsSocket) && !fs::exists(dir / kMetricsService)) return false;
  if (deps_.manager.query({kMetricsSocket}, false).at(0).loaded) {
    deps_.manager.stop(kMetricsSocket);
    deps_.manager.disable_unit_files({kMetricsSocket});
  }
  remove_if_present(dir / kMetricsSocket);
  remove_if_present(dir / kMetricsService);
  deps_.manager.reload_daemon();
  return true;
}

EndpointStatus HttpEndpoints::metrics_status() {
  EndpointStatus status;
  if (deps_.tools().boot_unit_dir.empty()) return status;
  const fs::path file = fs::path(deps_.tools().boot_unit_dir) / kMetricsSocket;
  status.unit_dir = deps_.tools().boot_unit_dir;
  const auto text = read_file_if_any(file);
  if (!text) return status;
  status.installed = true;
  status.listen = setting_of(*text, "ListenStream");
  status.state = deps_.manager.query({kMetricsSocket}, false).at(0).active_state;
  return status;
}

}  // namespace pmctl::core
