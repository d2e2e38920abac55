#include "core/cluster/new_instances.hpp"

#include "core/base/clock.hpp"
#include "core/cluster/cluster.hpp"

namespace pmctl::core {

std::vector<AppRecord> add_instances(RegistryData& data, const AppDecl& decl,
                                     const std::vector<int>& numbers,
                                     const std::string& runtime_dir,
                                     const std::function<bool(std::uint16_t)>& port_free) {
  const int count = static_cast<int>(numbers.size());
  std::vector<std::uint16_t> ports;
  if (decl.cluster.endpoints == Endpoints::Tcp && !decl.cluster.shared()) {
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
    if (!decl.cluster.shared())  // shared mode: no private endpoint, the instances share the socket
      rec.endpoint = ports.empty() ? unix_endpoint(cluster_dir(runtime_dir, decl.name), rec.id)
                                   : tcp_endpoint(ports[i]);
    data.apps.push_back(rec);
    out.push_back(rec);
  }
  return out;
}

}  // namespace pmctl::core
