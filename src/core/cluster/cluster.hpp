#pragma once

// Cluster mode's pure parts: how many instances, which public port, which private endpoint each
// instance gets, and the balancer's backend file. No sockets, no files: see cluster_probes.hpp
// for what asks the system, and Lifecycle (lifecycle_cluster.cpp) for what changes it.

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/app.hpp"
#include "core/model/app_record.hpp"
#include "core/types/scope.hpp"

namespace pmctl::core {

/// The most instances one app may ask for: each is a unit and a port.
inline constexpr int kMaxInstances = 256;

/// Loopback ports pmctl hands to instances: below Linux's ephemeral range (32768-60999), so an
/// outgoing connection can never take an instance's port while it restarts.
struct PortRange {
  std::uint16_t first = 20000;
  std::uint16_t last = 29999;
};

/// PM2's instances: a number, "max" or 0 (= `cpus`), or -k (= cpus - k); at least 1. Throws
/// core::Error naming `what` (e.g. "-i" or the field) for anything else, or above kMaxInstances.
int resolve_instances(std::string_view text, unsigned cpus, const std::string& what);

/// PM2's scale argument: N (that many), +N (N more), -N (N fewer) of `current` instances.
/// Throws core::Error for anything else, for fewer than 1 and above kMaxInstances.
int scale_target(std::string_view text, int current, const std::string& app);

/// The lowest instance numbers not in `used`, `count` of them (PM2 reuses freed numbers).
std::vector<int> free_instance_numbers(const std::set<int>& used, int count);

/// Whether PM2's `instances` as written asks for cluster mode: anything but exactly 1 ("max",
/// 0 and -1 too, so the mode does not change with the machine's CPU count).
bool asks_for_cluster(std::string_view instances_text);

/// Whether the app's env has a PORT (`--port`/`port` set it): its instances then sit behind a
/// balancer on it; without, they are a pool.
bool has_public_port(const AppDecl& app);

/// The public port of a cluster app: `--port`/`port` (both set PORT), else the app's own PORT.
/// Throws core::Error when there is none or it is not a port from 1 to 65535.
std::uint16_t public_port_of(const AppDecl& app);

/// The cluster settings as the user wrote them (flags, ecosystem fields); nullopt: not given.
struct ClusterText {
  std::optional<std::string> endpoints;
  std::optional<std::string> policy;
  std::optional<std::string> lb;
};

/// Sets the settings `text` gives in `c` (model/app.hpp's words), or none of them: throws
/// core::Error on a word that is none of its setting's. Checks in the order pmctl has always
/// reported mistakes in: endpoints, lb, shared mode's endpoints, then policy.
void apply_cluster_text(const ClusterText& text, ClusterSettings& c);

/// Refuses balancer settings given for a pool (app `app`, no public port): they would do nothing.
void check_pool_text(const ClusterText& text, const std::string& app);

/// Checks what cluster mode needs of a declaration (shared mode's endpoints, increment_var).
void validate_cluster(const AppDecl& app);

/// The lowest `count` ports of `range` that no registered instance holds (`taken`) and that
/// `is_free` says nothing listens on. Throws core::Error when the range runs out.
std::vector<std::uint16_t> allocate_ports(int count, const std::set<std::uint16_t>& taken,
                                          const std::function<bool(std::uint16_t)>& is_free,
                                          PortRange range = {});

/// Ports held by registered instances' tcp endpoints.
std::set<std::uint16_t> ports_taken(const std::vector<std::string>& endpoints);

/// "tcp:127.0.0.1:<port>", the balancer's backend syntax.
std::string tcp_endpoint(std::uint16_t port);
/// "unix:<dir>/<id>.sock"; slot B (a reload's replacement): "unix:<dir>/<id>-b.sock".
std::string unix_endpoint(const std::string& dir, int id, Slot slot = Slot::A);
/// What the instance finds in PORT: the port number, or the socket's path.
std::string port_env_value(std::string_view endpoint);
/// The socket's path of a unix endpoint, else "".
std::string unix_socket_path(std::string_view endpoint);

/// The balancer's backend file: a comment naming the app, then one endpoint per line.
std::string backend_file_text(const std::string& app, const std::vector<std::string>& endpoints);

/// The lock file a reload of `app` holds (flock) while it runs.
std::string reload_lock_path(const std::string& runtime_dir, const std::string& app);

/// Where cluster apps keep what their balancer reads: <runtime>/apps/<name> (the app names
/// pmctl accepts are safe as one path component).
std::string cluster_dir(const std::string& runtime_dir, const std::string& app);
std::string backend_file_path(const std::string& runtime_dir, const std::string& app);
/// <runtime>/bin/pmctl-balancer: where a balancer the hardened service cannot see is copied.
std::string balancer_copy_path(const std::string& runtime_dir);

/// The hardened balancer service has a private /tmp and no /home: a binary there (a build tree,
/// a CI clone) must be copied somewhere it can see first.
bool balancer_needs_copy(std::string_view path, Scope scope);

/// How `reload` goes through `ids` (in the order given): a fork app alone; instances of a cluster
/// app one at a time while the app has at most 2 instances, else two at a time (consecutive
/// ids of the same app), so that the others keep serving.
std::vector<std::vector<int>> reload_batches(const RegistryData& data, const std::vector<int>& ids);

}  // namespace pmctl::core
