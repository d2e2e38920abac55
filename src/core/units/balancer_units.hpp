#pragma once

#include <string>
#include <vector>

#include "core/model/app.hpp"
#include "core/types/scope.hpp"
#include "core/types/unit_spec.hpp"

namespace pmctl::core {

/// What the balancer of one cluster-mode app needs: where the public port is, where its list of
/// instance endpoints is, and how to spread connections.
struct BalancerPlan {
  std::string app;            ///< the app's name
  std::string listen;         ///< "0.0.0.0:3000", "[::]:3000" or "/run/app.sock"
  std::string backends_file;  ///< the instance endpoints, written by pmctl (world-readable)
  Policy policy = Policy::RoundRobin;
  unsigned max_connections = 4096;
  std::string balancer = "/usr/libexec/pmctl/pmctl-balancer";
  Scope scope = Scope::System;
  /// System manager: run as a dynamic user (default), or, when false, as `user` (empty: root),
  /// still without capabilities: unix endpoints need the instances' own user to connect.
  bool dynamic_user = true;
  std::string user;
  /// The units' name without the suffix; empty: balancer_unit_base(app). `pmctl save` writes
  /// its unit files under saved_balancer_base(app).
  std::string unit_base;
  /// Commands run before the balancer starts (the saved units restore its runtime files).
  std::vector<ExecCommand> start_pre;
};

/// `pmctl-<escaped name>-lb`: the balancer's socket and service share it (a transient socket
/// feeds only the service of its own name).
std::string balancer_unit_base(std::string_view app_name);
/// `pmctl-<escaped name>-lb-s`: the balancer's (or shared mode's socket's) unit files written by
/// `pmctl save`, which run after a boot.
std::string saved_balancer_base(std::string_view app_name);
/// The base of `plan`'s units: plan.unit_base, else balancer_unit_base(plan.app).
std::string unit_base_of(const BalancerPlan& plan);

/// Shared mode's two units, as unit files (not transient: the instances name the socket in
/// `Sockets=`): the socket that owns the public port, and the service it triggers, a holder
/// that only marks the socket as served (oneshot, RemainAfterExit) so that systemd never tries
/// to start anything for a connection; the instances accept on the socket themselves.
/// Same names as the balancer's: `<base>.socket`, `<base>.service`.
std::vector<UnitSpec> shared_socket_units(const BalancerPlan& plan);

/// The sandbox of the balancer service: it needs to accept on the socket systemd hands it,
/// connect to loopback or unix endpoints and read one file, nothing else. For the system
/// manager it runs as a dynamic user with no capabilities; a user manager cannot switch users
/// or set up most namespaces, so there it gets the settings that need no privileges.
std::vector<Property> balancer_hardening(Scope scope);

/// The `.socket` that owns the public port, with the balancer `.service` as its aux unit, both
/// in the app's slice: one StartTransientUnit call.
UnitSpec balancer_units(const BalancerPlan& plan);

/// The balancer of `app` as pmctl runs it: public port on every IPv4 address.
BalancerPlan balancer_plan(const AppDecl& app, const std::string& backends_file,
                           const std::string& balancer, Scope scope);

}  // namespace pmctl::core
