#pragma once
// Cluster mode's balancer as the instances' verbs drive it: its backend file, its binary, its
// socket and service (or, in shared mode, the socket unit and its holder), started, stopped and
// removed with the app's instances.

#include <optional>
#include <string>
#include <vector>

#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/model/app_record.hpp"
#include "core/text/balancer_status.hpp"
#include "core/types/unit_state.hpp"

namespace pmctl::core {

/// A cluster app's balancer as `show` tells it: its two units, live, and its settings.
struct BalancerView {
  std::string socket_unit;
  std::string service_unit;
  UnitState socket;
  UnitState service;
  std::string listen;
  bool shared = false;  ///< --lb shared: the service is a holder, the instances accept themselves
  std::string backends_file;
  std::string policy;  ///< Text to show: the policy's word, or how shared mode spreads connections.
};

class Balancers {
 public:
  Balancers(Deps& deps, RuntimeUnits& units) : deps_(deps), units_(units) {}

  /// The units' name without the type: the saved one while its socket holds the public port
  /// (after a boot, until pmctl stops it), else the transient one.
  std::string base(const std::string& name);
  /// Writes the app's backend file: its instances' endpoints, then `extra` lines (a reload's
  /// "<old endpoint> drain"). Shared mode has no file.
  void write_backends(const RegistryData& data, const std::string& name,
                      const std::vector<std::string>& extra = {});
  /// Tells a running balancer to read its backend file again (SIGHUP).
  void signal(const std::string& name);
  /// write_backends + signal, then waits kSettle so the balancer no longer sends new
  /// connections to the draining endpoints before they go down.
  void drain(const RegistryData& data, const std::string& name,
             const std::vector<std::string>& draining);

  void start(const AppDecl& decl);
  /// Makes sure the balancer of `rec`'s app runs: the saved one while every instance runs on
  /// its saved unit, else the transient one.
  void ensure(const AppRecord& rec);
  /// The socket first: the public port closes before the balancer lets its connections finish.
  void stop(const std::string& name);
  /// Stops it and removes its runtime files (and shared mode's unit files).
  void remove(const std::string& name);
  /// What app `name`'s balancer has counted (its StatusText); nullopt when it runs none or has
  /// published nothing pmctl can read.
  std::optional<BalancerCounters> counters(const std::string& name);
  BalancerView view(const AppDecl& decl);

 private:
  std::string binary();
  bool start_saved(const AppDecl& decl);
  void start_shared_socket(const AppDecl& decl);
  void remove_shared_socket(const std::string& name);
  bool is_shared(const std::string& name);

  Deps& deps_;
  RuntimeUnits& units_;
};

}  // namespace pmctl::core
