// Cluster mode's verbs: N instance units behind the balancer's socket and service
// (lifecycle_balancer.cpp). The pure parts (counts, ports, endpoints, the backend file) are in
// cluster.cpp.
#include <unistd.h>

#include <chrono>
#include <csignal>

#include "core/cluster/cluster.hpp"
#include "core/cluster/cluster_probes.hpp"
#include "core/units/balancer_units.hpp"
#include "core/types/error.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

std::vector<int> ids_named(const RegistryData& data, const std::string& name) {
  std::vector<int> ids;
  for (const auto& app : data.apps)
    if (app.decl.name == name) ids.push_back(app.id);
  return ids;
}

std::string id_list(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

/// Refuses `name` while any app has it: each instance's units and the balancer's are named after
/// it, and so is the runtime directory.
void check_name_free(const RegistryData& data, const std::string& name) {
  const auto same = ids_named(data, name);
  if (!same.empty())
    throw Error("an app named '" + name + "' is already registered (id " + id_list(same) + ")",
                "'pmctl start " + name + "' starts it again; delete it first to change it, or pick another --name");
}

}  // namespace

bool Lifecycle::port_free(const std::string& address, std::uint16_t port) {
  return tools().port_free ? tools().port_free(address, port) : tcp_port_free(address, port);
}

void Lifecycle::check_public_port(const AppDecl& decl) {
  const std::uint16_t port = decl.cluster.public_port;
  if (scope_ == Scope::User) {
    const unsigned lowest = tools().unprivileged_port_start ? tools().unprivileged_port_start()
                                                            : unprivileged_port_start();
    if (port < lowest)
      throw Error("port " + std::to_string(port) + " is privileged: a user manager cannot listen below " +
                      std::to_string(lowest),
                  "pick a port from " + std::to_string(lowest) + " up, or run as root without --user");
  }
  if (!port_free("0.0.0.0", port))
    throw Error("port " + std::to_string(port) + " is already in use",
                "stop what listens there ('ss -ltnp sport = :" + std::to_string(port) +
                    "'), or pick another --port");
}

std::vector<AppRecord> Lifecycle::add_instances(RegistryData& data, const AppDecl& decl) {
  std::vector<std::string> endpoints;
  for (const auto& app : data.apps) endpoints.push_back(app.endpoint);
  const int count = decl.cluster.instances;
  std::vector<std::uint16_t> ports;
  if (decl.cluster.endpoints == "tcp" && !decl.cluster.shared()) {
    ports = allocate_ports(count, ports_taken(endpoints),
                           [this](std::uint16_t p) { return port_free("127.0.0.1", p); });
  }
  std::vector<AppRecord> out;
  for (int i = 0; i < count; ++i) {
    AppRecord rec;
    rec.id = data.allocate_id();
    rec.decl = decl;
    rec.created_at_ms = now_ms();
    rec.instance = i;
    if (!decl.cluster.shared())  // shared mode: no private endpoint, the instances share the socket
      rec.endpoint = ports.empty() ? unix_endpoint(cluster_dir(tools().runtime_dir, decl.name), rec.id)
                                   : tcp_endpoint(ports[i]);
    data.apps.push_back(rec);
    out.push_back(rec);
  }
  return out;
}

std::vector<int> Lifecycle::start_cluster(const AppDecl& given) {
  validate_app_name(given.name);
  AppDecl decl = given;
  decl.cluster.enabled = true;
  if (decl.cluster.public_port == 0) decl.cluster.public_port = public_port_of(decl);
  validate_cluster(decl);
  check_name_free(registry_.load(Registry::Environments::Skip), decl.name);
  check_public_port(decl);
  if (tools().runtime_dir.empty()) write_backends({}, decl.name);  // says what is missing
  std::vector<AppRecord> recs;
  registry_.update([&](RegistryData& d) {
    check_name_free(d, decl.name);  // again under the lock: another pmctl may have taken it
    recs = add_instances(d, decl);
  });
  std::vector<int> ids;
  for (const auto& rec : recs) ids.push_back(rec.id);
  if (!decl.autostart) return ids;
  try {
    // Shared mode: the instances' units name the socket (Sockets=), so it comes first.
    if (decl.cluster.shared()) start_balancer(decl);
    for (const auto& rec : recs) launch(rec);
    if (!decl.cluster.shared()) start_balancer(decl);
  } catch (...) {
    rollback_cluster(recs);
    throw;
  }
  return ids;
}

// Best effort: every step is tried, whatever the one before it did.
void Lifecycle::rollback_cluster(const std::vector<AppRecord>& recs) {
  const auto quietly = [](const auto& step) {
    try {
      step();
    } catch (const std::exception&) {
    }
  };
  for (const auto& rec : recs) quietly([&] { stop_unit(unit_of(rec)); });
  for (const auto& rec : recs)
    if (rec.decl.cluster.shared()) quietly([&] { uninstall_unit(unit_of(rec)); });
  const std::string name = recs.front().decl.name;
  quietly([&] { remove_balancer(name); });
  quietly([&] {
    registry_.update([&](RegistryData& d) {
      for (const auto& rec : recs) d.remove(rec.id);
    });
  });
  for (const auto& rec : recs) quietly([&] { registry_.remove_instance_files(rec.id); });
  quietly([&] { manager_.stop(app_slice_name(name)); });
}

void Lifecycle::redeclare_cluster(const std::string& name, const AppDecl& decl, bool reload) {
  const auto data = registry_.load(Registry::Environments::Skip);
  const auto ids = ids_named(data, name);
  const AppRecord& first = *data.find(ids.at(0));
  if (!first.decl.cluster.enabled || !decl.cluster.enabled)
    throw Error("'" + name + "' cannot switch between fork and cluster mode",
                "delete it first ('pmctl delete " + name + "'), then start it again");
  if (static_cast<int>(ids.size()) != decl.cluster.instances)
    throw Error("'" + name + "' runs " + std::to_string(ids.size()) + " instances, the file asks for " +
                    std::to_string(decl.cluster.instances),
                "change the number with 'pmctl scale " + name + " " + std::to_string(decl.cluster.instances) + "' first");
  validate_cluster(decl);
  const ClusterSettings& old = first.decl.cluster;
  if (old.endpoints != decl.cluster.endpoints)
    throw Error("'" + name + "' cannot change its instances' endpoints from " + old.endpoints + " to " +
                    decl.cluster.endpoints,
                "delete the app first, then start it again");
  if (old.lb != decl.cluster.lb)
    throw Error("'" + name + "' cannot change its load balancing from " + old.lb + " to " + decl.cluster.lb,
                "delete the app first, then start it again");
  if (old.public_port != decl.cluster.public_port) check_public_port(decl);
  // Everything checked: from here on things change.
  if (old.public_port != decl.cluster.public_port || old.policy != decl.cluster.policy)
    stop_balancer(name);
  registry_.update([&](RegistryData& d) {
    for (int id : ids) d.find(id)->decl = decl;
  });
  if (reload) {
    for (const auto& batch : reload_batches(registry_.load(Registry::Environments::Skip), ids)) this->reload(batch);
    return;
  }
  for (int id : ids) start(id);
}

std::vector<std::string> Lifecycle::not_listening(const std::vector<int>& ids,
                                                  std::chrono::milliseconds timeout) {
  const auto data = registry_.load(Registry::Environments::Skip);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> late;
  for (int id : ids) {
    const AppRecord* rec = data.find(id);
    if (!rec || rec->endpoint.empty()) continue;
    while (!endpoint_accepts(rec->endpoint, std::chrono::milliseconds(200))) {
      if (std::chrono::steady_clock::now() >= deadline) {
        late.push_back(rec->endpoint);
        break;
      }
      usleep(50 * 1000);
    }
  }
  return late;
}

bool Lifecycle::any_running(const std::vector<int>& ids) {
  for (const auto& view : views(ids))
    if (view.status == Status::Online || view.status == Status::Launching ||
        view.status == Status::WaitingRestart)
      return true;
  return false;
}

void Lifecycle::after_stop(const AppRecord& rec) {
  const auto others = ids_named(registry_.load(Registry::Environments::Skip), rec.decl.name);
  if (!any_running(others)) stop_balancer(rec.decl.name);
}

void Lifecycle::after_remove(const AppRecord& rec, bool last_of_name) {
  if (last_of_name) {
    remove_balancer(rec.decl.name);
    return;
  }
  write_backends(registry_.load(Registry::Environments::Skip), rec.decl.name);
  signal_balancer(rec.decl.name);
}

void Lifecycle::signal_balancer(const std::string& name) {
  if (is_shared(name)) return;  // no balancer: the kernel follows the instances by itself
  const std::string service = balancer_base(name) + ".service";
  if (manager_.query({service}).at(0).active_state == "active") manager_.kill(service, SIGHUP);
}

}  // namespace pmctl::core
