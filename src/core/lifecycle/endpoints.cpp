#include "core/lifecycle/endpoints.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "core/base/files.hpp"
#include "core/base/on_failure.hpp"
#include "core/state/file_undo.hpp"
#include "core/state/web_secrets.hpp"
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

fs::path HttpEndpoints::unit_dir(EndpointKind kind, const std::string& command) {
  const std::string verb = std::string(endpoint_names(kind).verb) + " " + command;
  if (deps_.scope == Scope::System && geteuid() != 0)
    throw Error(
        "'pmctl " + verb + "' for the system manager needs root",
        "run: sudo pmctl " + verb + " (or 'pmctl --user " + verb + "' for your own user manager)");
  if (deps_.tools().boot_unit_dir.empty())
    throw Error("no directory for unit files: $HOME is not set", "set HOME, or run as root");
  return deps_.tools().boot_unit_dir;
}

EndpointEnabled HttpEndpoints::enable(EndpointKind kind, const EndpointSettings& settings) {
  const EndpointNames& names = endpoint_names(kind);
  const fs::path dir = unit_dir(kind, "enable");
  const auto files = endpoint_unit_files(kind, settings, deps_.scope, deps_.pmctl_binary());
  FileUndo undo;
  const OnFailure put_back([&] {
    undo.roll_back();
    deps_.manager.reload_daemon();
  });
  EndpointEnabled out{listen_stream(settings), ""};
  if (kind == EndpointKind::Web) {
    const fs::path state = deps_.registry.dir();
    const WebSecrets secrets = make_web_secrets();
    undo.write(web_token_file(state), secrets.token + "\n", 0600);
    undo.write(web_csrf_file(state), secrets.csrf + "\n", 0600);
    chmod(web_token_file(state).parent_path().c_str(), 0700);
    out.token = secrets.token;
  }
  for (const auto& f : files) undo.write(dir / f.name, f.text, 0644);
  deps_.manager.reload_daemon();
  stop_handler(kind);  // a running metrics handler has the old socket and settings
  deps_.manager.enable_unit_files({names.socket});
  deps_.manager.restart(names.socket);  // a changed address takes effect now
  return out;
}

bool HttpEndpoints::disable(EndpointKind kind) {
  const EndpointNames& names = endpoint_names(kind);
  const fs::path dir = unit_dir(kind, "disable");
  if (!fs::exists(dir / names.socket) && !fs::exists(dir / names.service)) return false;
  if (deps_.manager.query({names.socket}, false).at(0).loaded) {
    stop_handler(kind);
    deps_.manager.stop(names.socket);
    deps_.manager.disable_unit_files({names.socket});
  }
  remove_if_present(dir / names.socket);
  remove_if_present(dir / names.service);
  if (kind == EndpointKind::Web) {
    remove_if_present(web_token_file(deps_.registry.dir()));
    remove_if_present(web_csrf_file(deps_.registry.dir()));
  }
  deps_.manager.reload_daemon();
  return true;
}

EndpointStatus HttpEndpoints::status(EndpointKind kind) {
  const EndpointNames& names = endpoint_names(kind);
  EndpointStatus status;
  if (deps_.tools().boot_unit_dir.empty()) return status;
  const fs::path file = fs::path(deps_.tools().boot_unit_dir) / names.socket;
  status.unit_dir = deps_.tools().boot_unit_dir;
  const auto text = read_file_if_any(file);
  if (!text) return status;
  status.installed = true;
  status.listen = setting_of(*text, "ListenStream");
  status.state = deps_.manager.query({names.socket}, false).at(0).active_state;
  if (kind == EndpointKind::Metrics)
    status.handler_state = deps_.manager.query({names.service}, false).at(0).active_state;
  return status;
}

// The metrics handler is one service (Accept=no) that outlives a request; web's are one per
// connection and end with it.
void HttpEndpoints::stop_handler(EndpointKind kind) {
  const EndpointNames& names = endpoint_names(kind);
  if (kind == EndpointKind::Metrics && deps_.manager.query({names.service}, false).at(0).loaded)
    deps_.manager.stop(names.service);
}

}  // namespace pmctl::core
