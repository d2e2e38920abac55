#include "core/lifecycle/balancers.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <thread>

#include "core/base/accounts.hpp"
#include "core/base/files.hpp"
#include "core/cluster/cluster.hpp"
#include "core/types/error.hpp"
#include "core/units/balancer_units.hpp"
#include "core/units/boot_units.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

fs::path make_public_dir(const fs::path& root, const fs::path& sub) {
  fs::path dir = root;
  std::error_code ec;
  fs::create_directories(root, ec);
  for (const auto& part : fs::path(".") / sub) {
    if (part == ".") continue;
    dir /= part;
    fs::create_directory(dir, ec);
  }
  if (!fs::is_directory(dir))
    throw Error("cannot create directory '" + dir.string() + "'", "run as root or use --user");
  for (fs::path p = dir;; p = p.parent_path()) {
    chmod(p.c_str(), 0755);
    if (p == root || p == p.parent_path()) break;
  }
  return dir;
}

[[noreturn]] void port_not_opened(const AppDecl& decl, const std::string& socket,
                                  const ManagerError& e) {
  throw Error("the public port " + std::to_string(decl.cluster.public_port) + " of '" + decl.name +
                  "' could not be opened (" + e.what() + ")",
              "is the port in use? 'journalctl -u " + socket + "' says why");
}

}  // namespace

std::string Balancers::base(const std::string& name) {
  const std::string saved = saved_balancer_base(name);
  const UnitState state = deps_.manager.query({saved + ".socket"}).at(0);
  if (state.active_state == "active" || state.active_state == "activating") return saved;
  return balancer_unit_base(name);
}

bool Balancers::is_shared(const std::string& name) {
  for (const auto& app : deps_.registry.load(Registry::Environments::Skip).apps)
    if (app.decl.name == name) return app.decl.cluster.shared();
  return false;
}

void Balancers::write_backends(const RegistryData& data, const std::string& name,
                               const std::vector<std::string>& extra) {
  for (const auto& app : data.apps)
    if (app.decl.name == name && app.decl.cluster.shared()) return;  // no balancer, no file
  const std::string& runtime = deps_.tools().runtime_dir;
  if (runtime.empty())
    throw Error("cluster mode needs a runtime directory: $XDG_RUNTIME_DIR is not set",
                "log in through a session that sets it (or set PMCTL_RUNTIME_DIR)");
  std::vector<const AppRecord*> recs;
  for (const auto& app : data.apps)
    if (app.decl.name == name && !app.endpoint.empty()) recs.push_back(&app);
  std::sort(recs.begin(), recs.end(),
            [](const auto* a, const auto* b) { return a->instance < b->instance; });
  std::vector<std::string> endpoints;
  for (const auto* rec : recs) endpoints.push_back(rec->endpoint);
  endpoints.insert(endpoints.end(), extra.begin(), extra.end());
  const fs::path dir = make_public_dir(runtime, fs::path("apps") / name);
  if (!recs.empty() && !recs.front()->decl.user.empty()) {
    // The instances create their unix sockets here, as their own user.
    if (const auto account = find_user(recs.front()->decl.user))
      chown(dir.c_str(), account->uid, account->gid);
  }
  write_file_atomically(backend_file_path(runtime, name), backend_file_text(name, endpoints), 0644);
}

void Balancers::signal(const std::string& name) {
  if (is_shared(name)) return;  // no balancer: the kernel follows the instances by itself
  const std::string service = base(name) + ".service";
  if (deps_.manager.query({service}).at(0).active_state == "active")
    deps_.manager.kill(service, SIGHUP);
}

void Balancers::drain(const RegistryData& data, const std::string& name,
                      const std::vector<std::string>& draining) {
  std::vector<std::string> lines;
  for (const auto& endpoint : draining) lines.push_back(endpoint + " drain");
  write_backends(data, name, lines);
  signal(name);
  std::this_thread::sleep_for(kSettle);
}

// The hardened service cannot see /tmp or /home: a balancer from a build tree there is copied
// to <runtime>/bin first (again each time, so a rebuilt one is picked up).
std::string Balancers::binary() {
  const std::string& binary = deps_.tools().balancer;
  if (!balancer_needs_copy(binary, deps_.scope)) return binary;
  make_public_dir(deps_.tools().runtime_dir, "bin");
  const std::string copy = balancer_copy_path(deps_.tools().runtime_dir);
  const std::string content = read_file_if_any(binary).value_or("");
  if (content.empty())
    throw Error("cannot read the balancer '" + binary + "'", "build it, or install pmctl");
  if (read_file_if_any(copy) != content) write_file_atomically(copy, content, 0755);
  return copy;
}

void Balancers::start(const AppDecl& decl) {
  if (decl.cluster.shared()) return start_shared_socket(decl);
  write_backends(deps_.registry.load(Registry::Environments::Skip), decl.name);
  const std::string backends = backend_file_path(deps_.tools().runtime_dir, decl.name);
  const UnitSpec socket = balancer_units(balancer_plan(decl, backends, binary(), deps_.scope));
  try {
    units_.start_transient_afresh(socket);
  } catch (const ManagerError& e) {
    if (e.name() != kJobFailed) throw;
    port_not_opened(decl, socket.name, e);
  }
  // Started at once rather than by the first client, so a balancer that cannot run fails here.
  deps_.manager.start(socket.aux.at(0).name);
}

void Balancers::ensure(const AppRecord& rec) {
  const std::string unit_base = base(rec.decl.name);
  const auto states = deps_.manager.query({unit_base + ".socket", unit_base + ".service"});
  const bool socket_up = states.at(0).active_state == "active";
  if (socket_up && states.at(1).active_state == "active") return;
  if (socket_up && states.at(1).active_state != "failed") {
    deps_.manager.start(unit_base + ".service");
    return;
  }
  if (states.at(0).loaded || states.at(1).loaded) stop(rec.decl.name);
  if (!start_saved(rec.decl)) start(rec.decl);
}

// While every instance of the app runs on its saved unit (after a resurrect), so does the
// balancer: the saved one reads the same runtime backend file.
bool Balancers::start_saved(const AppDecl& decl) {
  const std::string saved = saved_balancer_base(decl.name);
  const std::string& dir = deps_.tools().boot_unit_dir;
  if (dir.empty() || !fs::exists(fs::path(dir) / (saved + ".socket"))) return false;
  const RegistryData data = deps_.registry.load(Registry::Environments::Skip);
  for (const auto& app : data.apps)
    if (app.decl.name == decl.name && app.slot != Slot::Saved) return false;
  if (!decl.cluster.shared()) write_backends(data, decl.name);
  for (const char* type : {".socket", ".service"}) {
    units_.standby(saved + type, false);
    deps_.manager.reset_failed(saved + type);
  }
  deps_.manager.start(saved + ".socket");
  deps_.manager.start(saved + ".service");
  return true;
}

void Balancers::stop(const std::string& name) {
  const std::string unit_base = base(name);
  for (const char* type : {".socket", ".service"}) units_.stop(unit_base + type);
}

void Balancers::remove(const std::string& name) {
  stop(name);
  units_.forget(balancer_unit_base(name) + ".service");
  std::error_code ec;
  fs::remove_all(cluster_dir(deps_.tools().runtime_dir, name), ec);
  // Shared mode's socket and holder are unit files (the app may be gone from the registry).
  const std::string& dir = deps_.tools().unit_dir;
  if (!dir.empty() && fs::exists(fs::path(dir) / (balancer_unit_base(name) + ".socket")))
    remove_shared_socket(name);
}

void Balancers::start_shared_socket(const AppDecl& decl) {
  const auto units = shared_socket_units(balancer_plan(decl, "", "", deps_.scope));
  for (const auto& spec : units) units_.install_unit_file(spec, decl.name);
  try {
    deps_.manager.start(units.at(0).name);
  } catch (const ManagerError& e) {
    if (e.name() != kJobFailed) throw;
    port_not_opened(decl, units.at(0).name, e);
  }
  // Marks the socket as served, so that systemd starts nothing when a connection comes.
  deps_.manager.start(units.at(1).name);
}

void Balancers::remove_shared_socket(const std::string& name) {
  const std::string unit_base = balancer_unit_base(name);
  units_.uninstall_unit_file(unit_base + ".socket");
  units_.uninstall_unit_file(unit_base + ".service");
  // The socket and its instances refer to each other (Sockets=, Triggers=): a reload lets
  // systemd forget all of them now rather than keep stale definitions around.
  deps_.manager.reload_daemon();
}

BalancerView Balancers::view(const AppDecl& decl) {
  BalancerView v;
  const std::string unit_base = base(decl.name);
  v.socket_unit = unit_base + ".socket";
  v.service_unit = unit_base + ".service";
  const auto states = deps_.manager.query({v.socket_unit, v.service_unit});
  v.socket = states.at(0);
  v.service = states.at(1);
  v.listen = "0.0.0.0:" + std::to_string(decl.cluster.public_port);
  v.shared = decl.cluster.shared();
  v.backends_file = v.shared ? "" : backend_file_path(deps_.tools().runtime_dir, decl.name);
  v.policy = v.shared ? "none: the kernel spreads accept()s over the instances"
                      : std::string(to_string(decl.cluster.policy));
  return v;
}

std::optional<BalancerCounters> Balancers::counters(const std::string& name) {
  // Shared mode has no balancer service: its query says inactive.
  const std::string service = base(name) + ".service";
  if (deps_.manager.query({service}, false).at(0).active_state != "active") return std::nullopt;
  return parse_balancer_status(deps_.manager.status_text(service));
}

}  // namespace pmctl::core
