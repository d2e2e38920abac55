#include "core/cluster/cluster.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/base/envfile.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

constexpr std::string_view kTcpPrefix = "tcp:127.0.0.1:";
constexpr std::string_view kUnixPrefix = "unix:";

void check_shared_endpoints(const ClusterSettings& c) {
  if (c.lb == LbMode::Shared && c.endpoints != Endpoints::Tcp)
    throw Error("shared mode has no private endpoints: instance_endpoint '" +
                    std::string(to_string(c.endpoints)) + "' does not apply",
                "leave instance_endpoint out with lb shared");
}

std::optional<long> to_number(std::string_view text) {
  long n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

bool starts_with_any(std::string_view path, std::initializer_list<std::string_view> dirs) {
  for (std::string_view dir : dirs)
    if (path.starts_with(dir)) return true;
  return false;
}

}  // namespace

int resolve_instances(std::string_view text, unsigned cpus, const std::string& what) {
  const long cpu_count = std::max(1u, cpus);
  std::optional<long> n = text == "max" ? 0 : to_number(text);
  if (!n)
    throw Error(what + ": '" + std::string(text) + "' is not a number of instances",
                "give a number, max (one per CPU), 0 (the same) or -1 (one per CPU but one)");
  if (*n <= 0) n = std::max(1L, cpu_count + *n);  // PM2: 0 = CPUs, -k = CPUs - k, at least 1
  if (*n > kMaxInstances)
    throw Error(what + ": " + std::to_string(*n) +
                    " instances are more than pmctl runs for one app (" +
                    std::to_string(kMaxInstances) + ")",
                "use max for one instance per CPU");
  return static_cast<int>(*n);
}

int scale_target(std::string_view text, int current, const std::string& app) {
  const bool relative = !text.empty() && (text.front() == '+' || text.front() == '-');
  const auto n = to_number(text.substr(text.starts_with('+') ? 1 : 0));
  if (!n)
    throw Error("scale: '" + std::string(text) + "' is not a number of instances",
                "give N (that many instances), +N (N more) or -N (N fewer)");
  const long target = relative ? current + *n : *n;
  if (target < 1)
    throw Error("scale: '" + app + "' would have " + std::to_string(target) + " instances",
                "a cluster app keeps at least one; 'pmctl stop " + app + "' or 'pmctl delete " +
                    app + "' ends it");
  if (target > kMaxInstances)
    throw Error("scale: " + std::to_string(target) +
                    " instances are more than pmctl runs for one app (" +
                    std::to_string(kMaxInstances) + ")",
                "give a smaller number");
  return static_cast<int>(target);
}

std::vector<int> free_instance_numbers(const std::set<int>& used, int count) {
  std::vector<int> out;
  for (int i = 0; static_cast<int>(out.size()) < count; ++i)
    if (!used.count(i)) out.push_back(i);
  return out;
}

bool asks_for_cluster(std::string_view instances_text) { return instances_text != "1"; }

bool has_public_port(const AppDecl& app) {
  const auto it = app.env.find("PORT");
  return it != app.env.end() && !it->second.empty();
}

void check_pool_text(const ClusterText& text, const std::string& app) {
  const char* given = text.endpoints ? "instance_endpoint" : text.policy ? "lb_policy" : "lb";
  if (!text.endpoints && !text.policy && !text.lb) return;
  throw Error(
      std::string(given) + " applies behind a balancer, and '" + app + "' has no public port",
      "pass --port N (or set port in the ecosystem file): without one its instances are "
      "a pool of workers, each on its own");
}

std::uint16_t public_port_of(const AppDecl& app) {
  const auto it = app.env.find("PORT");
  if (it == app.env.end() || it->second.empty())
    throw Error("cluster mode needs a public port for '" + app.name + "'",
                "pass --port N (or set port in the ecosystem file, or PORT in the app's env)");
  const auto n = to_number(it->second);
  if (!n || *n < 1 || *n > 65535)
    throw Error("the public port of '" + app.name + "' must be a number from 1 to 65535, got '" +
                    it->second + "'",
                "pass --port N");
  return static_cast<std::uint16_t>(*n);
}

void apply_cluster_text(const ClusterText& text, ClusterSettings& c) {
  ClusterSettings next = c;  // all or nothing
  if (text.endpoints) {
    const auto endpoints = endpoints_from_string(*text.endpoints);
    if (!endpoints)
      throw Error("instance endpoints must be tcp or unix, got '" + *text.endpoints + "'",
                  "tcp: a loopback port per instance (default); unix: a socket per instance");
    next.endpoints = *endpoints;
  }
  if (text.lb) {
    const auto lb = lb_mode_from_string(*text.lb);
    if (!lb)
      throw Error("the load balancing mode must be proxy or shared, got '" + *text.lb + "'",
                  "proxy: pmctl-balancer in front of the instances (default); shared: every "
                  "instance accepts on the one socket");
    next.lb = *lb;
  }
  check_shared_endpoints(next);
  if (text.policy) {
    const auto policy = policy_from_string(*text.policy);
    if (!policy)
      throw Error("the balancer policy must be rr or leastconn, got '" + *text.policy + "'",
                  "rr: round-robin (default); leastconn: fewest open connections");
    next.policy = *policy;
  }
  c = next;
}

void validate_cluster(const AppDecl& app) {
  check_shared_endpoints(app.cluster);
  if (app.increment_var.empty()) return;
  // A pool's PORT is the app's own: PM2's increment_var PORT gives each worker its own.
  if ((app.increment_var == "PORT" && app.cluster.balanced()) ||
      app.increment_var == app.instance_var)
    throw Error("increment_var '" + app.increment_var + "' is a variable pmctl sets per instance",
                "in cluster mode PORT is each instance's private endpoint; name another variable");
  const auto base = app.env.find(app.increment_var);
  if (base != app.env.end() && !to_number(base->second))
    throw Error("increment_var '" + app.increment_var + "' starts from '" + base->second +
                    "', which is not a number",
                "set it to a number in the app's env, or leave it unset to start from 0");
}

std::vector<std::uint16_t> allocate_ports(int count, const std::set<std::uint16_t>& taken,
                                          const std::function<bool(std::uint16_t)>& is_free,
                                          PortRange range) {
  std::vector<std::uint16_t> out;
  for (unsigned port = range.first; port <= range.last && static_cast<int>(out.size()) < count;
       ++port) {
    const auto p = static_cast<std::uint16_t>(port);
    if (!taken.count(p) && is_free(p)) out.push_back(p);
  }
  if (static_cast<int>(out.size()) < count)
    throw Error("no " + std::to_string(count) + " free loopback ports left in " +
                    std::to_string(range.first) + "-" + std::to_string(range.last),
                "delete cluster apps you no longer need, or use unix socket endpoints");
  return out;
}

std::set<std::uint16_t> ports_taken(const std::vector<std::string>& endpoints) {
  std::set<std::uint16_t> out;
  for (const auto& e : endpoints) {
    if (!std::string_view(e).starts_with(kTcpPrefix)) continue;
    if (const auto n = to_number(std::string_view(e).substr(kTcpPrefix.size()));
        n && *n > 0 && *n < 65536)
      out.insert(static_cast<std::uint16_t>(*n));
  }
  return out;
}

std::string tcp_endpoint(std::uint16_t port) {
  return std::string(kTcpPrefix) + std::to_string(port);
}

std::string unix_endpoint(const std::string& dir, int id, Slot slot) {
  return std::string(kUnixPrefix) + dir + "/" + std::to_string(id) + (slot == Slot::B ? "-b" : "") +
         ".sock";
}

std::string port_env_value(std::string_view endpoint) {
  if (endpoint.starts_with(kTcpPrefix)) return std::string(endpoint.substr(kTcpPrefix.size()));
  return unix_socket_path(endpoint);
}

std::string unix_socket_path(std::string_view endpoint) {
  if (!endpoint.starts_with(kUnixPrefix)) return "";
  return std::string(endpoint.substr(kUnixPrefix.size()));
}

std::string backend_file_text(const std::string& app, const std::vector<std::string>& endpoints) {
  std::string text = "# pmctl app '" + app + "': " + std::to_string(endpoints.size()) +
                     " instance(s); written by pmctl, read by pmctl-balancer on SIGHUP\n";
  for (const auto& e : endpoints) text += e + "\n";
  return text;
}

std::string cluster_dir(const std::string& runtime_dir, const std::string& app) {
  return runtime_dir + "/apps/" + app;
}

std::string reload_lock_path(const std::string& runtime_dir, const std::string& app) {
  return cluster_dir(runtime_dir, app) + "/reload.lock";
}

std::string balancer_copy_path(const std::string& runtime_dir) {
  return runtime_dir + "/bin/pmctl-balancer";
}

std::string backend_file_path(const std::string& runtime_dir, const std::string& app) {
  return cluster_dir(runtime_dir, app) + "/backends";
}

bool balancer_needs_copy(std::string_view path, Scope scope) {
  if (scope == Scope::User) return false;  // no PrivateTmp or ProtectHome there
  return starts_with_any(path, {"/tmp/", "/var/tmp/", "/home/", "/root/", "/run/user/"});
}

std::vector<std::vector<int>> reload_batches(const RegistryData& data,
                                             const std::vector<int>& ids) {
  std::vector<std::vector<int>> batches;
  for (int id : ids) {
    const AppRecord* rec = data.find(id);
    const bool pairs = rec && rec->decl.cluster.enabled &&
                       std::count_if(data.apps.begin(), data.apps.end(), [&](const AppRecord& a) {
                         return a.decl.name == rec->decl.name;
                       }) > 2;
    if (pairs && !batches.empty() && batches.back().size() == 1) {
      const AppRecord* last = data.find(batches.back().front());
      if (last && last->decl.name == rec->decl.name) {
        batches.back().push_back(id);
        continue;
      }
    }
    batches.push_back({id});
  }
  return batches;
}

}  // namespace pmctl::core
