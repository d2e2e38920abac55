#include "core/lifecycle/new_apps.hpp"

#include <algorithm>

#include "core/base/clock.hpp"
#include "core/base/on_failure.hpp"
#include "core/cluster/cluster.hpp"
#include "core/cluster/cluster_probes.hpp"
#include "core/cluster/new_instances.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

std::string id_list(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

/// Refuses `name` while any app has it: each instance's units and the balancer's are named after
/// it, and so is the runtime directory.
void check_name_free(const RegistryData& data, const std::string& name) {
  const auto same = data.ids_named(name);
  if (!same.empty())
    throw Error("an app named '" + name + "' is already registered (id " + id_list(same) + ")",
                "'pmctl start " + name +
                    "' starts it again; delete it first to change it, or pick another --name");
}

}  // namespace

int NewApps::start_fork(const AppDecl& decl, bool force) {
  validate_app_name(decl.name);
  validate_namespace(decl.ns);
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  std::vector<int> same_name = data.ids_named(decl.name);
  // An app registry.json lost keeps its unit and id; the new one gets a new id beside it.
  std::erase_if(same_name, [&](int id) { return data.unlisted.count(id) > 0; });
  for (int id : same_name)
    if (data.find(id)->decl.cluster.enabled)
      throw Error("'" + decl.name + "' is a cluster app (id " + std::to_string(id) + ")",
                  "use 'pmctl restart " + decl.name + "', or another --name for a fork-mode app");
  if (!same_name.empty() && !force) {
    for (const auto& view : views_.of(data, same_name))
      if (is_up(view.status))
        throw Error("app '" + decl.name + "' is already running (id " +
                        std::to_string(view.record.id) + ")",
                    "use 'pmctl restart " + decl.name + "', or -f to start another copy");
    const AppRecord* old = data.find(same_name.front());
    if (old->decl.script != decl.script)
      throw Error("an app named '" + decl.name + "' already exists for " + old->decl.script,
                  "choose another --name, delete it first, or use -f to add another app");
    // PM2's smart start: the stopped app of that name starts again, with the new declaration.
    const int id = old->id;
    deps_.registry.update([&](RegistryData& d) { d.at(id).decl = decl; });
    if (decl.autostart) instances_.start(id);
    return id;
  }
  AppRecord rec;
  rec.decl = decl;
  rec.created_at_ms = realtime_ms();
  if (decl.autostart) rec.boot_id = current_boot_id();  // spares launch a registry write
  deps_.registry.update([&](RegistryData& d) {
    rec.id = d.allocate_id();
    d.apps.push_back(rec);
  });
  // PM2's autostart: false registers the app as stopped; `pmctl start` launches it later.
  if (!decl.autostart) return rec.id;
  // A failed start leaves nothing behind: no registry entry, no files, no failed unit. A stop
  // too, not only a reset: with Restart=always a unit whose start job failed may already be
  // waiting to restart (activating), which a reset alone leaves in place.
  const OnFailure undo([&] {
    quietly([&] { units_.stop(unit_of(rec)); });
    forget({rec});
  });
  launcher_.launch(rec);
  return rec.id;
}

// Best effort: every step is tried, whatever the one before it did.
void NewApps::forget(const std::vector<AppRecord>& recs) {
  const std::string name = recs.front().decl.name;
  bool last_of_name = false;
  quietly([&] {
    deps_.registry.update([&](RegistryData& d) {
      for (const auto& rec : recs) d.remove(rec.id);
      last_of_name = d.ids_named(name).empty();
    });
  });
  for (const auto& rec : recs) quietly([&] { deps_.registry.remove_instance_files(rec.id); });
  if (!last_of_name) return;
  quietly([&] { launcher_.remove_companions(name); });
  quietly([&] { deps_.manager.stop(app_slice_name(name)); });
}

void NewApps::check_public_port(const AppDecl& decl) {
  const std::uint16_t port = decl.cluster.public_port;
  if (deps_.scope == Scope::User) {
    const auto& lowest_fn = deps_.tools().unprivileged_port_start;
    const unsigned lowest = lowest_fn ? lowest_fn() : unprivileged_port_start();
    if (port < lowest)
      throw Error(
          "port " + std::to_string(port) + " is privileged: a user manager cannot listen below " +
              std::to_string(lowest),
          "pick a port from " + std::to_string(lowest) + " up, or run as root without --user");
  }
  if (!deps_.port_free("0.0.0.0", port))
    throw Error("port " + std::to_string(port) + " is already in use",
                "stop what listens there ('ss -ltnp sport = :" + std::to_string(port) +
                    "'), or pick another --port");
}

std::vector<int> NewApps::start_cluster(const AppDecl& given) {
  validate_app_name(given.name);
  validate_namespace(given.ns);
  AppDecl decl = given;
  decl.cluster.enabled = true;
  validate_cluster(decl);
  const RegistryData data = deps_.registry.load(Registry::Environments::Skip);
  // The same start, killed half-way before: this one completes it (docs/reliability.md).
  if (Completion::marked(data, decl.name) && completion_.complete(decl.name))
    return data.ids_named(decl.name);
  check_name_free(data, decl.name);
  const bool balanced = decl.cluster.balanced();  // else a pool: no port, no balancer
  if (balanced) check_public_port(decl);
  if (balanced && deps_.tools().runtime_dir.empty())
    balancers_.write_backends({}, decl.name);  // says what is missing
  std::vector<AppRecord> recs;
  deps_.registry.update([&](RegistryData& d) {
    check_name_free(d, decl.name);  // again under the lock: another pmctl may have taken it
    recs = add_instances(d, decl, free_instance_numbers({}, decl.cluster.instances),
                         deps_.tools().runtime_dir,
                         [this](std::uint16_t p) { return deps_.port_free("127.0.0.1", p); });
    if (!decl.autostart) return;
    for (auto& rec : recs) rec.pending = d.at(rec.id).pending = "start";
  });
  std::vector<int> ids;
  for (const auto& rec : recs) ids.push_back(rec.id);
  if (!decl.autostart) return ids;
  const OnFailure undo([&] {
    for (const auto& rec : recs) quietly([&] { units_.stop(unit_of(rec)); });
    for (const auto& rec : recs)
      if (rec.decl.cluster.shared()) quietly([&] { units_.uninstall_unit_file(unit_of(rec)); });
    if (balanced) quietly([&] { balancers_.remove(decl.name); });
    forget(recs);
  });
  // Shared mode: the instances' units name the socket (Sockets=), so it comes first.
  if (decl.cluster.shared()) balancers_.start(decl);
  for (const auto& rec : recs) launcher_.launch(rec);
  if (balanced && !decl.cluster.shared()) balancers_.start(decl);
  completion_.mark(ids, "");
  return ids;
}

// What a file may change of a registered app's mode, and what it may not (with what to do).
void NewApps::check_mode_switch(const std::string& name, const AppDecl& old, const AppDecl& decl) {
  const std::string again = "delete it first ('pmctl delete " + name + "'), then start it again";
  // A fork app may become a pool, as `scale` makes it one; not instances behind a port.
  if (old.cluster.balanced() != decl.cluster.balanced())
    throw Error(
        "'" + name + "' cannot switch between " +
            (old.cluster.balanced()
                 ? "instances behind a public port"
                 : std::string(old.cluster.enabled ? "a pool of workers" : "fork mode")) +
            " and " +
            (decl.cluster.balanced() ? "instances behind a public port" : "a pool of workers"),
        again);
}

std::string NewApps::redeclare_cluster(const std::string& name, const AppDecl& given, bool reload) {
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  const auto ids = data.ids_named(name);
  const AppRecord& first = *data.find(ids.at(0));
  AppDecl decl = given;
  if (first.decl.cluster.enabled && !decl.cluster.enabled) {
    // `instances: 1` for an app that runs instances: one instance of it, as PM2 scales to it.
    decl.cluster = first.decl.cluster;
    decl.cluster.instances = 1;
    if (decl.cluster.balanced()) decl.cluster.public_port = public_port_of(decl);
  }
  check_mode_switch(name, first.decl, decl);
  if (!first.decl.cluster.enabled && ids.size() > 1)
    throw Error("'" + name + "' is " + std::to_string(ids.size()) +
                    " fork-mode apps started with -f, not instances of one",
                "delete the copies you do not need, then apply the file again");
  validate_cluster(decl);
  const ClusterSettings& old = first.decl.cluster;
  if (old.endpoints != decl.cluster.endpoints && decl.cluster.balanced())
    throw Error("'" + name + "' cannot change its instances' endpoints from " +
                    std::string(to_string(old.endpoints)) + " to " +
                    std::string(to_string(decl.cluster.endpoints)),
                "delete the app first, then start it again");
  if (old.lb != decl.cluster.lb && decl.cluster.balanced())
    throw Error("'" + name + "' cannot change its load balancing from " +
                    std::string(to_string(old.lb)) + " to " +
                    std::string(to_string(decl.cluster.lb)),
                "delete the app first, then start it again");
  if (old.public_port != decl.cluster.public_port) check_public_port(decl);
  // Everything checked: from here on things change.
  if (decl.cluster.balanced() &&
      (old.public_port != decl.cluster.public_port || old.policy != decl.cluster.policy))
    balancers_.stop(name);
  deps_.registry.update([&](RegistryData& d) {
    for (int id : ids) d.at(id).decl = decl;
  });
  // PM2 scales first (clones of the first, which has the new declaration; the lowest pm_ids
  // go), then restarts or reloads the instances it had and kept.
  const int before = static_cast<int>(ids.size());
  const int target = decl.cluster.instances;
  std::vector<int> kept = ids;
  std::string what;
  if (target != before) {
    const auto changed = rollout_.scale(name, target);
    if (target < before)
      std::erase_if(kept,
                    [&](int id) { return std::count(changed.begin(), changed.end(), id) > 0; });
    what = "scaled " + std::to_string(before) + "->" + std::to_string(target) + ", ";
  }
  const RegistryData now = deps_.registry.load(Registry::Environments::Skip);
  const bool was_up = views_.any_up(now, kept);
  if (!reload || !was_up) {
    for (int id : kept) instances_.start(id);
    return what + (was_up ? "restarted" : "started");
  }
  for (const auto& batch : reload_batches(now, kept)) rollout_.reload(batch);
  return what + "reloaded";
}

}  // namespace pmctl::core
