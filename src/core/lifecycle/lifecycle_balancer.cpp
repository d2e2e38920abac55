// Cluster mode's balancer as the instances' verbs drive it: its backend file, its binary, and
// its socket and service, started, stopped and removed with the app's instances.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/base/files.hpp"
#include "core/base/accounts.hpp"
#include "core/units/balancer_units.hpp"
#include "core/cluster/cluster.hpp"
#include "core/types/error.hpp"
#include "core/lifecycle/lifecycle.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

/// How long to wait for systemd to unload the balancer's units before re-creating them.
constexpr std::chrono::milliseconds kBalancerUnloadWait{3000};

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

}  // namespace

void Lifecycle::write_backends(const RegistryData& data, const std::string& name,
                               const std::vector<std::string>& extra) {
  for (const auto& app : data.apps)
    if (app.decl.name == name && app.decl.cluster.shared()) return;  // no balancer, no file
  if (tools().runtime_dir.empty())
    throw Error("cluster mode needs a runtime directory: $XDG_RUNTIME_DIR is not set",
                "log in through a session that sets it (or set PMCTL_RUNTIME_DIR)");
  std::vector<const AppRecord*> recs;
  for (const auto& app : data.apps)
    if (app.decl.name == name && !app.endpoint.empty()) recs.push_back(&app);
  std::sort(recs.begin(), recs.end(), [](const auto* a, const auto* b) { return a->instance < b->instance; });
  std::vector<std::string> endpoints;
  for (const auto* rec : recs) endpoints.push_back(rec->endpoint);
  endpoints.insert(endpoints.end(), extra.begin(), extra.end());
  const fs::path dir = make_public_dir(tools().runtime_dir, fs::path("apps") / name);
  if (!recs.empty() && !recs.front()->decl.user.empty()) {
    // The instances create their unix sockets here, as their own user.
    if (const auto account = find_user(recs.front()->decl.user)) chown(dir.c_str(), account->uid, account->gid);
  }
  write_file_atomically(backend_file_path(tools().runtime_dir, name), backend_file_text(name, endpoints), 0644);
}

// The hardened service cannot see /tmp or /home: a balancer from a build tree there is copied
// to <runtime>/bin first (again each time, so a rebuilt one is picked up).
std::string Lifecycle::balancer_binary() {
  const std::string& binary = tools().balancer;
  if (!balancer_needs_copy(binary, scope_)) return binary;
  make_public_dir(tools().runtime_dir, "bin");
  const fs::path copy = balancer_copy_path(tools().runtime_dir);
  const std::string content = read_file_if_any(binary).value_or("");
  if (content.empty())
    throw Error("cannot read the balancer '" + binary + "'", "build it, or install pmctl");
  if (read_file_if_any(copy) != content) write_file_atomically(copy, content, 0755);
  return copy.string();
}

void Lifecycle::start_balancer(const AppDecl& decl) {
  if (decl.cluster.shared()) return start_shared_socket(decl);
  write_backends(registry_.load(Registry::Environments::Skip), decl.name);
  const UnitSpec socket = balancer_units(
      balancer_plan(decl, backend_file_path(tools().runtime_dir, decl.name), balancer_binary(), scope_));
  const std::string service = socket.aux.at(0).name;
  try {
    try {
      start_transient(socket);
    } catch (const ManagerError& e) {
      if (e.name() != kUnitExists) throw;
      // Still loaded from an earlier run: clear it, then create it afresh.
      stop_balancer_units(balancer_unit_base(decl.name));
      manager_.wait_unloaded(socket.name, kBalancerUnloadWait);
      manager_.wait_unloaded(service, kBalancerUnloadWait);
      start_transient(socket);
    }
  } catch (const ManagerError& e) {
    if (e.name() != kJobFailed) throw;
    throw Error("the public port " + std::to_string(decl.cluster.public_port) + " of '" + decl.name +
                    "' could not be opened (" + e.what() + ")",
                "is the port in use? 'journalctl -u " + socket.name + "' says why");
  }
  // Started at once rather than by the first client, so a balancer that cannot run fails here.
  manager_.start(service);
}

void Lifecycle::ensure_balancer(const AppRecord& rec) {
  const std::string base = balancer_base(rec.decl.name);
  const auto states = manager_.query({base + ".socket", base + ".service"});
  const bool socket_up = states.at(0).active_state == "active";
  if (socket_up && states.at(1).active_state == "active") return;
  if (socket_up && states.at(1).active_state != "failed") {
    manager_.start(base + ".service");
    return;
  }
  if (states.at(0).loaded || states.at(1).loaded) stop_balancer(rec.decl.name);
  if (!start_saved_balancer(rec.decl)) start_balancer(rec.decl);
}

void Lifecycle::stop_balancer(const std::string& name) { stop_balancer_units(balancer_base(name)); }

void Lifecycle::stop_balancer_units(const std::string& base) {
  // The socket first: the public port closes before the balancer lets its connections finish.
  for (const char* type : {".socket", ".service"}) stop_unit(base + type);
}

void Lifecycle::remove_balancer(const std::string& name) {
  stop_balancer(name);
  clear_exec_dropin(balancer_unit_base(name) + ".service");
  std::error_code ec;
  fs::remove_all(cluster_dir(tools().runtime_dir, name), ec);
  // Shared mode's socket and holder are unit files (the app may be gone from the registry).
  if (!tools().unit_dir.empty() && fs::exists(fs::path(tools().unit_dir) / (balancer_unit_base(name) + ".socket")))
    remove_shared_socket(name);
}

BalancerView Lifecycle::balancer_view(const AppDecl& decl) {
  BalancerView v;
  const std::string base = balancer_base(decl.name);
  v.socket_unit = base + ".socket";
  v.service_unit = base + ".service";
  const auto states = manager_.query({v.socket_unit, v.service_unit});
  v.socket = states.at(0);
  v.service = states.at(1);
  v.listen = "0.0.0.0:" + std::to_string(decl.cluster.public_port);
  v.shared = decl.cluster.shared();
  v.backends_file = v.shared ? "" : backend_file_path(tools().runtime_dir, decl.name);
  v.policy = v.shared ? "none: the kernel spreads accept()s over the instances" : decl.cluster.policy;
  return v;
}

}  // namespace pmctl::core
