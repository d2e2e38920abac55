#include "core/cluster/new_instances.hpp"

#include "core/base/clock.hpp"
#include "core/cluster/cluster.hpp"

namespace pmctl::core {

std::vector<AppRecord> add_instances(RegistryData& data, const AppDecl& given,
                                     const std::vector<int>& numbers,
                                     const std::string& runtime_dir,
                                     const std::function<bool(std::uint16_t)>& port_free) {
  const AppDecl decl = given;  // `given` may be an app of data.apps, which push_back moves
  const int count = static_cast<int>(numbers.size());
  std::vector<std::uint16_t> ports;
  const bool endpoints = decl.cluster.balanced() && !decl.cluster.shared();
  if (endpoints && decl.cluster.endpoints == Endpoints::Tcp) {
    std::vector<std::string> endpoints;
    for (const auto& app : data.apps) endpoints.push_back(app.endpoint);
    ports = allocate_ports(count, ports_taken(endpoints), port_free);
  }
  std::vector<AppRecord> out;
  for (int i = 0; i < count; ++i) {
    AppRecord rec;
    rec.id = data.allocate_id();
    rec.decl = decl;
    rec.created_at_ms = realtime_ms();
    if (decl.autostart) rec.boot_id = current_boot_id();  // spares launch a registry write
    rec.instance = numbers[i];
    // A pool has no endpoint; shared mode neither: the instances share the socket.
    if (endpoints)
      rec.endpoint = ports.empty() ? unix_endpoint(cluster_dir(runtime_dir, decl.name), rec.id)
                                   : tcp_endpoint(ports[i]);
    data.apps.push_back(rec);
    out.push_back(rec);
  }
  return out;
}

}  // namespace pmctl::core
