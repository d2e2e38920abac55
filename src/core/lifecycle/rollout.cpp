// The pm_id stays through a reload; the registry says which of the instance's two units is
// current (AppRecord::slot).
#include "core/lifecycle/rollout.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/base/files.hpp"
#include "core/base/on_failure.hpp"
#include "core/cluster/cluster.hpp"
#include "core/cluster/new_instances.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

std::string instance_text(const AppRecord& rec) {
  return "instance " + std::to_string(rec.instance) + " of '" + rec.decl.name + "' (id " +
         std::to_string(rec.id) + ")";
}

/// Why a started instance is not ready, for the error that aborts a reload or scale.
std::string not_ready_text(const AppRecord& rec) {
  if (rec.decl.cluster.shared() || !rec.decl.cluster.balanced())
    return "stopped right after it started";
  return "did not accept a connection within " + std::to_string(rec.decl.listen_timeout_ms) + " ms";
}

std::vector<std::string> endpoints_of(const std::vector<AppRecord>& recs) {
  std::vector<std::string> out;
  for (const auto& rec : recs) out.push_back(rec.endpoint);
  return out;
}

}  // namespace

bool HeldLocks::holds(const std::string& key) const {
  return std::any_of(fds_.begin(), fds_.end(), [&](const auto& held) { return held.first == key; });
}

void HeldLocks::add(const std::string& key, UniqueFd fd) { fds_.emplace_back(key, std::move(fd)); }

// Held until this process ends, so a reload of every instance is one reload for other pmctl.
void Rollout::lock(const std::string& name) {
  const std::string path = reload_lock_path(deps_.tools().runtime_dir, name);
  if (locks_.holds(path)) return;
  std::error_code ec;
  std::filesystem::create_directories(cluster_dir(deps_.tools().runtime_dir, name), ec);
  UniqueFd fd = try_lock_file(path);
  if (fd.get() < 0)
    throw Error("a reload of '" + name + "' is already running",
                "wait for it to finish ('" + path + "' is locked while it runs)");
  locks_.add(path, std::move(fd));
}

std::vector<AppRecord> Rollout::replacements_of(const std::vector<AppRecord>& recs) {
  std::vector<AppRecord> next = recs;
  for (auto& n : next) n.slot = n.slot == Slot::B ? Slot::A : Slot::B;
  // No endpoints: a pool has none, shared mode's instances share the socket.
  if (!recs.front().decl.cluster.balanced() || recs.front().decl.cluster.shared()) return next;
  if (recs.front().decl.cluster.endpoints == Endpoints::Unix) {
    for (auto& n : next)
      n.endpoint = unix_endpoint(cluster_dir(deps_.tools().runtime_dir, n.decl.name), n.id, n.slot);
    return next;
  }
  std::vector<std::string> endpoints;
  for (const auto& app : deps_.registry.load(Registry::Environments::Skip).apps)
    endpoints.push_back(app.endpoint);
  const auto ports =
      allocate_ports(static_cast<int>(next.size()), ports_taken(endpoints),
                     [this](std::uint16_t p) { return deps_.port_free("127.0.0.1", p); });
  for (std::size_t i = 0; i < next.size(); ++i) next[i].endpoint = tcp_endpoint(ports.at(i));
  return next;
}

// All replacements start, then each must get ready: with two at a time the waits overlap.
void Rollout::start_replacements(const std::vector<AppRecord>& recs,
                                 const std::vector<AppRecord>& next) {
  std::string why;
  std::size_t at = 0;
  try {
    for (at = 0; at < next.size(); ++at) {
      // Left running by a reload that was killed half-way: it is not current, so it goes.
      if (launcher_.live(next[at]).loaded) units_.stop(unit_of(next[at]));
      launcher_.launch(next[at]);
    }
    for (at = 0; at < next.size() && why.empty(); ++at)
      if (!launcher_.wait_ready(next[at])) why = not_ready_text(recs[at]);
    if (!why.empty()) --at;
  } catch (const std::exception& e) {
    why = std::string("did not start (") + e.what() + ")";
  }
  if (why.empty()) return;
  for (std::size_t i = 0; i < next.size(); ++i) {
    quietly([&] {
      units_.stop(unit_of(next[i]));
      if (next[i].decl.cluster.shared()) units_.uninstall_unit_file(unit_of(next[i]));
      launcher_.write_env(recs[i]);  // the old instance's PORT again, should it restart on its own
    });
  }
  throw Error("reload of " + instance_text(recs[at]) + " aborted: its replacement " + why +
                  "; the old instance" + (recs.size() > 1 ? "s keep" : " keeps") + " serving",
              "'pmctl logs " + recs[at].decl.name + "' says why");
}

void Rollout::switch_to(const std::vector<AppRecord>& recs, const std::vector<AppRecord>& next) {
  const std::string name = recs.front().decl.name;
  std::vector<std::uint32_t> automatic;
  for (const auto& rec : recs)
    automatic.push_back(
        counted_restarts(launcher_.live(rec), rec.decl.restart, rec.restarts_hidden));
  const RegistryData data = deps_.registry.update([&](RegistryData& d) {
    for (std::size_t i = 0; i < recs.size(); ++i) {
      AppRecord* r = d.find(recs[i].id);
      if (!r) continue;
      r->endpoint = next[i].endpoint;
      r->slot = next[i].slot;
      // PM2 counts a reload as a restart; the old unit's automatic restarts are kept too.
      r->restarts += automatic[i] + 1;
      r->restarts_hidden = 0;
    }
  });
  if (!recs.front().decl.cluster.balanced()) {
    for (const auto& rec : recs) units_.stop(unit_of(rec));  // a pool: nothing to drain
    return;
  }
  if (recs.front().decl.cluster.shared()) {
    // The old instance stops accepting once it closes its server on SIGINT; what it has not
    // accepted stays in the socket's queue for the others.
    for (const auto& rec : recs) {
      units_.stop(unit_of(rec));
      units_.uninstall_unit_file(unit_of(rec));
    }
    return;
  }
  balancers_.drain(data, name, endpoints_of(recs));
  for (const auto& rec : recs)
    units_.stop(unit_of(rec));  // SIGINT, then SIGKILL after kill_timeout
  balancers_.write_backends(data, name);
  balancers_.signal(name);
}

void Rollout::reload(const std::vector<int>& ids) {
  std::vector<AppRecord> up;
  for (int id : ids) {
    const AppRecord rec = instances_.record(id);
    if (!rec.decl.cluster.enabled) {
      instances_.restart(id);
      continue;
    }
    lock(rec.decl.name);
    if (!is_up(status_of(launcher_.live(rec), rec.decl.restart)))
      instances_.start(id);
    else
      up.push_back(rec);
  }
  if (up.empty()) return;
  for (const auto& rec : up)
    if (rec.decl.name != up.front().decl.name)
      throw Error("internal: one reload batch spans two apps", "reload them one by one");
  if (up.front().decl.cluster.balanced()) balancers_.ensure(up.front());
  const std::vector<AppRecord> next = replacements_of(up);
  std::vector<int> marked;
  for (const auto& rec : up) marked.push_back(rec.id);
  completion_.mark(marked, "reload");
  {
    // An aborted start removes the replacements itself: nothing is left to complete.
    const OnFailure unmark([&] { quietly([&] { completion_.mark(marked, ""); }); });
    start_replacements(up, next);
  }
  switch_to(up, next);
  completion_.mark(marked, "");
}

std::vector<int> Rollout::scale(const std::string& name, int target) {
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  auto ids = data.ids_named(name);
  std::sort(ids.begin(), ids.end());
  if (ids.empty()) throw Error("no app named '" + name + "'", "'pmctl ls' lists the apps");
  AppRecord first = *data.find(ids.front());
  lock(name);
  const bool was_fork = !first.decl.cluster.enabled;
  if (was_fork) first = make_pool(name, ids);
  const OnFailure back([&] {  // a failed scale leaves a fork app what it was
    if (!was_fork) return;
    quietly([&] {
      deps_.registry.update([&](RegistryData& d) {
        if (AppRecord* r = d.find(first.id)) r->decl.cluster.enabled = r->decl.cluster.fork = false;
      });
    });
  });
  const int current = static_cast<int>(ids.size());
  if (target > current) return scale_up(first, target - current);
  if (target < current) return scale_down(data, ids, current - target);
  return {};
}

// PM2 scales a fork app too: its copies run beside it, in fork mode. Its unit and environment
// stay as they are (instance 0 is what it already had), only the registry says "instances".
AppRecord Rollout::make_pool(const std::string& name, const std::vector<int>& ids) {
  if (ids.size() > 1)
    throw Error("'" + name + "' is " + std::to_string(ids.size()) +
                    " fork-mode apps started with -f, not instances of one",
                "delete the copies you do not need, then scale the one left");
  const RegistryData data = deps_.registry.update([&](RegistryData& d) {
    ClusterSettings& c = d.at(ids.front()).decl.cluster;
    c.enabled = c.fork = true;
    c.public_port = 0;
  });
  return *data.find(ids.front());
}

std::vector<int> Rollout::scale_up(const AppRecord& first, int count) {
  std::vector<AppRecord> recs;
  deps_.registry.update([&](RegistryData& d) {
    std::set<int> used;
    for (const auto& app : d.apps)
      if (app.decl.name == first.decl.name) used.insert(app.instance);
    // The clone's declaration from this read: `first` came from one without environments, and
    // the new instances must get the app's own (the update reads them).
    const AppRecord* source = d.find(first.id);
    recs = add_instances(d, source ? source->decl : first.decl, free_instance_numbers(used, count),
                         deps_.tools().runtime_dir,
                         [this](std::uint16_t p) { return deps_.port_free("127.0.0.1", p); });
    for (auto& rec : recs) rec.pending = d.at(rec.id).pending = "scale";
  });
  std::vector<int> added;
  for (const auto& rec : recs) added.push_back(rec.id);
  {
    const OnFailure undo([&] {
      for (int id : added) quietly([&] { instances_.remove(id); });
    });
    for (const auto& rec : recs) {
      launcher_.launch(rec);
      if (!launcher_.wait_ready(rec))
        throw Error("scale of '" + rec.decl.name + "' aborted: new instance " +
                        std::to_string(rec.instance) + " " + not_ready_text(rec) +
                        "; the instances it had keep serving",
                    "'pmctl logs " + rec.decl.name + "' says why");
    }
  }
  if (first.decl.cluster.balanced()) {
    balancers_.write_backends(deps_.registry.load(Registry::Environments::Skip), first.decl.name);
    balancers_.ensure(recs.front());
    balancers_.signal(first.decl.name);
  }
  completion_.mark(added, "");
  return added;
}

std::vector<int> Rollout::scale_down(const RegistryData& data, const std::vector<int>& ids,
                                     int count) {
  const std::vector<int> going(ids.begin(), ids.begin() + count);  // PM2: the lowest pm_ids
  const std::string name = data.find(ids.front())->decl.name;
  RegistryData staying = data;
  std::vector<std::string> draining;
  for (int id : going) {
    draining.push_back(data.find(id)->endpoint);
    staying.remove(id);
  }
  completion_.mark(going, "scale");  // out of the balancer, not yet removed
  if (data.find(ids.front())->decl.cluster.balanced()) balancers_.drain(staying, name, draining);
  for (int id : going)
    instances_.remove(id);  // stops (SIGINT, kill_timeout), forgets, rewrites the file
  return going;
}

}  // namespace pmctl::core
