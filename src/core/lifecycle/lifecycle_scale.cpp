// PM2's scale of a cluster app: new instances start and join the balancer once ready; removed
// ones (lowest pm_ids first) are drained, then stopped and deleted. The reload lock keeps a
// reload and a scale of the same app apart.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/cluster/cluster.hpp"
#include "core/types/error.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

/// How long the balancer gets to read its backend file after SIGHUP before a drained
/// instance goes down.
constexpr useconds_t kBalancerSettleUsec = 300 * 1000;

std::vector<int> ids_named(const RegistryData& data, const std::string& name) {
  std::vector<int> ids;
  for (const auto& app : data.apps)
    if (app.decl.name == name) ids.push_back(app.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

std::vector<int> Lifecycle::scale(const std::string& name, int target) {
  const auto data = registry_.load(Registry::Environments::Skip);
  const auto ids = ids_named(data, name);
  if (ids.empty()) throw Error("no app named '" + name + "'", "'pmctl ls' lists the apps");
  const AppRecord first = *data.find(ids.front());
  if (!first.decl.cluster.enabled)
    throw Error("'" + name + "' runs in fork mode: scale works on cluster apps",
                "delete it and start it again with -i N (one public port behind the balancer)");
  lock_reload(name);
  const int current = static_cast<int>(ids.size());
  if (target > current) return scale_up(first, target - current);
  if (target < current) return scale_down(data, ids, current - target);
  return {};
}

std::vector<int> Lifecycle::scale_up(const AppRecord& first, int count) {
  std::vector<AppRecord> recs;
  registry_.update([&](RegistryData& d) {
    std::set<int> used;
    std::vector<std::string> endpoints;
    for (const auto& app : d.apps) {
      endpoints.push_back(app.endpoint);
      if (app.decl.name == first.decl.name) used.insert(app.instance);
    }
    const auto numbers = free_instance_numbers(used, count);
    std::vector<std::uint16_t> ports;
    if (first.decl.cluster.endpoints == "tcp" && !first.decl.cluster.shared())
      ports = allocate_ports(count, ports_taken(endpoints),
                             [this](std::uint16_t p) { return port_free("127.0.0.1", p); });
    for (int i = 0; i < count; ++i) {
      AppRecord rec;
      rec.id = d.allocate_id();
      rec.decl = first.decl;
      rec.created_at_ms = now_ms();
      rec.instance = numbers[i];
      if (!first.decl.cluster.shared())
        rec.endpoint = ports.empty() ? unix_endpoint(cluster_dir(tools().runtime_dir, first.decl.name), rec.id)
                                     : tcp_endpoint(ports[i]);
      d.apps.push_back(rec);
      recs.push_back(rec);
    }
  });
  std::vector<int> added;
  for (const auto& rec : recs) added.push_back(rec.id);
  try {
    for (const auto& rec : recs) {
      launch(rec);
      if (!wait_ready(rec))
        throw Error("scale of '" + rec.decl.name + "' aborted: new instance " + std::to_string(rec.instance) +
                        (rec.decl.cluster.shared() ? std::string(" stopped right after it started")
                                                   : " did not accept a connection within " +
                                                         std::to_string(rec.decl.listen_timeout_ms) + " ms") +
                        "; the instances it had keep serving",
                    "'pmctl logs " + rec.decl.name + "' says why");
    }
  } catch (...) {
    for (int id : added) {
      try {
        remove(id);
      } catch (const std::exception&) {
      }
    }
    throw;
  }
  write_backends(registry_.load(Registry::Environments::Skip), first.decl.name);
  ensure_balancer(recs.front());
  signal_balancer(first.decl.name);
  return added;
}

std::vector<int> Lifecycle::scale_down(const RegistryData& data, const std::vector<int>& ids, int count) {
  const std::vector<int> going(ids.begin(), ids.begin() + count);  // PM2: the lowest pm_ids
  const std::string name = data.find(ids.front())->decl.name;
  RegistryData staying = data;
  std::vector<std::string> drains;
  for (int id : going) {
    drains.push_back(data.find(id)->endpoint + " drain");
    staying.remove(id);
  }
  write_backends(staying, name, drains);
  signal_balancer(name);
  usleep(kBalancerSettleUsec);
  for (int id : going) remove(id);  // stops (SIGINT, kill_timeout), forgets, rewrites the file
  return going;
}

}  // namespace pmctl::core
