#include "core/units/balancer_units.hpp"

#include "core/units/log_mapping.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

// Settings a user manager can apply too (no new namespaces, no user switch).
std::vector<Property> unprivileged_hardening() {
  return {
      {"NoNewPrivileges", true},
      {"RestrictAddressFamilies", NameList{true, {"AF_UNIX", "AF_INET", "AF_INET6"}}},
      {"SystemCallFilter", NameList{true, {"@system-service"}}},
      {"SystemCallArchitectures", std::vector<std::string>{"native"}},
      {"SystemCallErrorNumber", std::int32_t{1}},  // EPERM instead of a kill
      {"LockPersonality", true},
      {"MemoryDenyWriteExecute", true},
      {"RestrictRealtime", true},
      {"RestrictSUIDSGID", true},
      {"RestrictNamespaces", std::uint64_t{0}},  // the allowed namespace types: none
      {"UMask", std::uint32_t{077}},
  };
}

}  // namespace

std::string balancer_unit_base(std::string_view app_name) {
  return "pmctl-" + escape_unit_component(app_name) + "-lb";
}

std::string saved_balancer_base(std::string_view app_name) {
  return balancer_unit_base(app_name) + "-s";
}

std::string unit_base_of(const BalancerPlan& plan) {
  return plan.unit_base.empty() ? balancer_unit_base(plan.app) : plan.unit_base;
}

std::vector<Property> balancer_hardening(Scope scope) {
  std::vector<Property> props = unprivileged_hardening();
  if (scope == Scope::User) return props;
  const std::vector<Property> system = {
      {"DynamicUser", true},
      {"CapabilityBoundingSet", std::uint64_t{0}},
      {"AmbientCapabilities", std::uint64_t{0}},
      {"ProtectSystem", std::string("strict")},
      {"ProtectHome", std::string("yes")},
      {"PrivateTmp", true},
      {"PrivateDevices", true},
      {"PrivateUsers", true},
      {"ProtectKernelTunables", true},
      {"ProtectKernelModules", true},
      {"ProtectKernelLogs", true},
      {"ProtectControlGroups", true},
      {"ProtectClock", true},
      {"ProtectHostname", true},
      {"ProtectProc", std::string("invisible")},
      {"ProcSubset", std::string("pid")},
      {"DevicePolicy", std::string("closed")},
      {"RemoveIPC", true},
  };
  props.insert(props.end(), system.begin(), system.end());
  return props;
}

UnitSpec balancer_units(const BalancerPlan& plan) {
  const std::string base = unit_base_of(plan);
  const std::string slice = app_slice_name(plan.app);
  UnitSpec service{base + ".service", {}, {}};
  service.properties = {
      {"Description", "pmctl balancer of '" + plan.app + "'"},
      {"Slice", slice},
      {"Type", std::string("notify")},
  };
  if (!plan.start_pre.empty()) service.properties.push_back({"ExecStartPreEx", plan.start_pre});
  const std::vector<Property> run = {
      {"ExecStartEx",
       std::vector<ExecCommand>{{plan.balancer,
                                 {plan.balancer, "--backends", plan.backends_file, "--policy",
                                  std::string(to_string(plan.policy)), "--max-connections",
                                  std::to_string(plan.max_connections)},
                                 {"no-env-expand"}}}},
      {"Restart", std::string("always")},
      {"RestartUSec", std::uint64_t{100'000}},
      // A start limit would let a crash loop close the public port for good (the socket fails
      // with service-start-limit-hit): the port must outlive any number of balancer restarts.
      {"StartLimitIntervalUSec", std::uint64_t{0}},
  };
  service.properties.insert(service.properties.end(), run.begin(), run.end());
  for (auto& p : balancer_hardening(plan.scope)) {
    if (p.name == "DynamicUser" && !plan.dynamic_user) continue;
    service.properties.push_back(std::move(p));
  }
  if (plan.scope == Scope::System && !plan.dynamic_user && !plan.user.empty())
    service.properties.push_back({"User", plan.user});
  add_journal_rate_limit(service.properties);
  UnitSpec socket{base + ".socket", {}, {service}};
  socket.properties = {
      {"Description", "public port of pmctl app '" + plan.app + "'"},
      {"Slice", slice},
      {"Listen", std::vector<ListenAddress>{{"Stream", plan.listen}}},
      {"ReusePort", false},
      {"TriggerLimitBurst", std::uint32_t{0}},
  };
  add_journal_rate_limit(socket.properties);
  return socket;
}

std::vector<UnitSpec> shared_socket_units(const BalancerPlan& plan) {
  const std::string base = unit_base_of(plan);
  const std::string slice = app_slice_name(plan.app);
  UnitSpec socket{base + ".socket", {}, {}};
  socket.properties = {
      {"Description", "public port of pmctl app '" + plan.app + "' (shared by its instances)"},
      {"Slice", slice},
      {"Listen", std::vector<ListenAddress>{{"Stream", plan.listen}}},
      {"ReusePort", false},
      {"TriggerLimitBurst", std::uint32_t{0}},
      {"Service", base + ".service"},
  };
  add_journal_rate_limit(socket.properties);
  UnitSpec holder{base + ".service", {}, {}};
  holder.properties = {
      {"Description", "pmctl app '" + plan.app + "': its instances accept on " + base + ".socket"},
      {"Slice", slice},
      {"Type", std::string("oneshot")},
      {"RemainAfterExit", true},
      {"ExecStartEx", std::vector<ExecCommand>{{"/bin/true", {"/bin/true"}, {}}}},
      {"StartLimitIntervalUSec", std::uint64_t{0}},
  };
  add_journal_rate_limit(holder.properties);
  return {socket, holder};
}

BalancerPlan balancer_plan(const AppDecl& app, const std::string& backends_file,
                           const std::string& balancer, Scope scope) {
  BalancerPlan plan;
  plan.app = app.name;
  plan.listen = "0.0.0.0:" + std::to_string(app.cluster.public_port);
  plan.backends_file = backends_file;
  plan.policy = app.cluster.policy;
  plan.balancer = balancer;
  plan.scope = scope;
  // A dynamic user could not connect to sockets the instances create with their own umask: with
  // unix endpoints the balancer runs as the app's user (still without any capability).
  if (app.cluster.endpoints == Endpoints::Unix) {
    plan.dynamic_user = false;
    plan.user = app.user;
  }
  return plan;
}

}  // namespace pmctl::core
