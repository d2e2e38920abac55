#include "core/units/balancer_units.hpp"

#include <gtest/gtest.h>

namespace pmctl::core {
namespace {

BalancerPlan plan(Scope scope = Scope::System) {
  BalancerPlan p;
  p.app = "web-api";
  p.listen = "0.0.0.0:3000";
  p.backends_file = "/run/pmctl/web-api/backends";
  p.policy = Policy::LeastConnections;
  p.max_connections = 100;
  p.balancer = "/usr/libexec/pmctl/pmctl-balancer";
  p.scope = scope;
  return p;
}

template <typename T>
T value(const UnitSpec& spec, const std::string& name) {
  const PropertyValue* v = spec.find(name);
  EXPECT_NE(v, nullptr) << name;
  return v ? std::get<T>(*v) : T{};
}

TEST(BalancerUnits, ASocketWithItsSameNamedServiceInAux) {
  const UnitSpec socket = balancer_units(plan());
  EXPECT_EQ(socket.name, "pmctl-web\\x2dapi-lb.socket");
  ASSERT_EQ(socket.aux.size(), 1u);
  EXPECT_EQ(socket.aux[0].name, "pmctl-web\\x2dapi-lb.service");
  EXPECT_EQ(value<std::vector<ListenAddress>>(socket, "Listen"),
            (std::vector<ListenAddress>{{"Stream", "0.0.0.0:3000"}}));
  EXPECT_EQ(value<std::string>(socket, "Slice"), "pmctl-web\\x2dapi.slice");
  EXPECT_EQ(value<std::uint32_t>(socket, "TriggerLimitBurst"), 0u);
}

// Shared mode: the socket's service is a holder that runs nothing, so a connection starts nothing;
// the instances (Sockets=) accept themselves.
TEST(BalancerUnits, SharedModeHasTheSocketAndAHolderThatRunsNoBalancer) {
  const auto units = shared_socket_units(plan());
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].name, "pmctl-web\\x2dapi-lb.socket");
  EXPECT_EQ(value<std::vector<ListenAddress>>(units[0], "Listen"),
            (std::vector<ListenAddress>{{"Stream", "0.0.0.0:3000"}}));
  EXPECT_EQ(value<std::string>(units[0], "Service"), "pmctl-web\\x2dapi-lb.service");
  EXPECT_FALSE(value<bool>(units[0], "ReusePort"));
  EXPECT_EQ(units[1].name, "pmctl-web\\x2dapi-lb.service");
  EXPECT_EQ(value<std::string>(units[1], "Type"), "oneshot");
  EXPECT_TRUE(value<bool>(units[1], "RemainAfterExit"));
  const auto exec = value<std::vector<ExecCommand>>(units[1], "ExecStartEx");
  ASSERT_EQ(exec.size(), 1u);
  EXPECT_EQ(exec[0].path, "/bin/true");
}

// A balancer that logs a connection storm keeps every line, as the apps do.
TEST(BalancerUnits, EveryUnitTurnsJournaldsRateLimitUpAsTheAppsDo) {
  for (const Scope scope : {Scope::System, Scope::User}) {
    const UnitSpec socket = balancer_units(plan(scope));
    std::vector<UnitSpec> units = {socket, socket.aux.at(0)};
    for (const auto& u : shared_socket_units(plan(scope))) units.push_back(u);
    for (const auto& u : units) {
      EXPECT_EQ(value<std::uint64_t>(u, "LogRateLimitIntervalUSec"), 1'000'000u) << u.name;
      EXPECT_EQ(value<std::uint32_t>(u, "LogRateLimitBurst"), 10'000'000u) << u.name;
    }
  }
}

TEST(BalancerUnits, TheServiceRunsTheBalancerWithThePlansSettings) {
  const UnitSpec service = balancer_units(plan()).aux.at(0);
  const auto exec = value<std::vector<ExecCommand>>(service, "ExecStartEx");
  ASSERT_EQ(exec.size(), 1u);
  EXPECT_EQ(exec[0].path, "/usr/libexec/pmctl/pmctl-balancer");
  EXPECT_EQ(exec[0].argv,
            (std::vector<std::string>{"/usr/libexec/pmctl/pmctl-balancer", "--backends",
                                      "/run/pmctl/web-api/backends", "--policy", "leastconn",
                                      "--max-connections", "100"}));
  EXPECT_EQ(value<std::string>(service, "Type"), "notify");
  EXPECT_EQ(value<std::string>(service, "Restart"), "always");
  EXPECT_EQ(value<std::string>(service, "Slice"), "pmctl-web\\x2dapi.slice");
  // No start limit: a crash loop must never leave the public port closed for good.
  EXPECT_EQ(value<std::uint64_t>(service, "StartLimitIntervalUSec"), 0u);
}

TEST(BalancerUnits, RunsAsTheAppsUserWhenItMustReachItsUnixSockets) {
  BalancerPlan p = plan();
  p.dynamic_user = false;
  p.user = "www-data";
  const UnitSpec service = balancer_units(p).aux.at(0);
  EXPECT_EQ(service.find("DynamicUser"), nullptr);
  EXPECT_EQ(value<std::string>(service, "User"), "www-data");
  EXPECT_EQ(value<std::uint64_t>(service, "CapabilityBoundingSet"), 0u);
  p.user.clear();
  EXPECT_EQ(balancer_units(p).aux.at(0).find("User"), nullptr);
}

TEST(BalancerUnits, TheSystemManagersBalancerRunsAsADynamicUserWithNoCapabilities) {
  const UnitSpec service = balancer_units(plan()).aux.at(0);
  EXPECT_TRUE(value<bool>(service, "DynamicUser"));
  EXPECT_EQ(value<std::uint64_t>(service, "CapabilityBoundingSet"), 0u);
  EXPECT_EQ(value<std::string>(service, "ProtectSystem"), "strict");
  EXPECT_TRUE(value<bool>(service, "PrivateDevices"));
  EXPECT_EQ(value<NameList>(service, "RestrictAddressFamilies"),
            (NameList{true, {"AF_UNIX", "AF_INET", "AF_INET6"}}));
  EXPECT_EQ(value<NameList>(service, "SystemCallFilter"), (NameList{true, {"@system-service"}}));
}

TEST(BalancerUnits, AUserManagersBalancerGetsOnlyWhatNeedsNoPrivileges) {
  const UnitSpec service = balancer_units(plan(Scope::User)).aux.at(0);
  EXPECT_EQ(service.find("DynamicUser"), nullptr);
  EXPECT_EQ(service.find("PrivateDevices"), nullptr);
  EXPECT_TRUE(value<bool>(service, "NoNewPrivileges"));
  EXPECT_EQ(value<NameList>(service, "SystemCallFilter"), (NameList{true, {"@system-service"}}));
}

TEST(BalancerUnits, PlansTheBalancerOnEveryIpv4AddressOfThePublicPort) {
  AppDecl app;
  app.name = "web";
  app.env["PORT"] = "3000";
  app.cluster = {
      .enabled = true, .instances = 2, .public_port = 3000, .policy = Policy::LeastConnections};
  const BalancerPlan plan = balancer_plan(app, "/run/pmctl/apps/web/backends", "/b", Scope::System);
  EXPECT_EQ(plan.app, "web");
  EXPECT_EQ(plan.listen, "0.0.0.0:3000");
  EXPECT_EQ(plan.backends_file, "/run/pmctl/apps/web/backends");
  EXPECT_EQ(plan.policy, Policy::LeastConnections);
  EXPECT_EQ(plan.balancer, "/b");
  EXPECT_TRUE(plan.dynamic_user);
  app.cluster.endpoints = Endpoints::Unix;
  app.user = "www-data";
  const BalancerPlan unix_plan = balancer_plan(app, "/f", "/b", Scope::System);
  EXPECT_FALSE(unix_plan.dynamic_user);
  EXPECT_EQ(unix_plan.user, "www-data");
}

}  // namespace
}  // namespace pmctl::core
