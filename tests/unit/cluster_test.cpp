#include "core/cluster/cluster.hpp"

#include <gtest/gtest.h>

#include "core/types/error.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::core {
namespace {

struct InstancesCase {
  const char* text;
  unsigned cpus;
  int expected;
};

TEST(Cluster, ResolvesInstancesLikePm2) {
  const std::vector<InstancesCase> cases = {
      {"1", 4, 1},  {"2", 4, 2},  {"16", 2, 16}, {"max", 4, 4},   {"0", 4, 4},
      {"-1", 4, 3}, {"-3", 4, 1}, {"-4", 4, 1},  {"-9", 4, 1},    {"max", 1, 1},
      {"0", 1, 1},  {"-1", 1, 1}, {"max", 0, 1}, {"256", 4, 256},
  };
  for (const auto& c : cases)
    EXPECT_EQ(resolve_instances(c.text, c.cpus, "-i"), c.expected) << c.text << " on " << c.cpus;
}

TEST(Cluster, RefusesInstancesThatAreNotANumber) {
  for (const char* text : {"", "x", "2x", "1.5", "+2", " 2", "MAX", "257", "99999999999999999999"})
    EXPECT_THROW(resolve_instances(text, 4, "-i"), Error) << text;
  try {
    resolve_instances("two", 4, "-i");
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "-i: 'two' is not a number of instances");
  }
}

TEST(Cluster, AsksForClusterModeForAnyInstancesButOne) {
  EXPECT_FALSE(asks_for_cluster("1"));
  for (const char* text : {"2", "max", "0", "-1"}) EXPECT_TRUE(asks_for_cluster(text)) << text;
}

AppDecl app_with_port(const std::string& port) {
  AppDecl app;
  app.name = "web";
  if (!port.empty()) app.env["PORT"] = port;
  return app;
}

TEST(Cluster, TakesThePublicPortFromPort) {
  EXPECT_EQ(public_port_of(app_with_port("3000")), 3000);
  EXPECT_EQ(public_port_of(app_with_port("65535")), 65535);
  for (const char* bad : {"", "0", "65536", "http", "-1", "80 "})
    EXPECT_THROW(public_port_of(app_with_port(bad)), Error) << bad;
  try {
    public_port_of(app_with_port(""));
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cluster mode needs a public port for 'web'");
  }
}

TEST(Cluster, ValidatesEndpointsPolicyAndIncrementVar) {
  AppDecl app = app_with_port("3000");
  EXPECT_NO_THROW(validate_cluster(app));
  apply_cluster_text({.endpoints = "unix", .policy = "leastconn"}, app.cluster);
  EXPECT_EQ(app.cluster.endpoints, Endpoints::Unix);
  EXPECT_EQ(app.cluster.policy, Policy::LeastConnections);
  EXPECT_NO_THROW(validate_cluster(app));
  EXPECT_THROW(apply_cluster_text({.endpoints = "udp"}, app.cluster), Error);
  EXPECT_THROW(apply_cluster_text({.policy = "random"}, app.cluster), Error);
  EXPECT_EQ(app.cluster.endpoints, Endpoints::Unix);  // a refused word changes nothing
  EXPECT_EQ(app.cluster.policy, Policy::LeastConnections);
  apply_cluster_text({.endpoints = "tcp", .policy = "rr"}, app.cluster);
  EXPECT_EQ(app.cluster, ClusterSettings{});
  app.cluster.enabled = true;
  app.cluster.public_port = 3000;
  for (const char* var : {"PORT", "NODE_APP_INSTANCE"}) {
    app.increment_var = var;
    EXPECT_THROW(validate_cluster(app), Error) << var;
  }
  // A pool's PORT is its own: PM2's increment_var PORT gives each worker one.
  app.cluster.public_port = 0;
  app.increment_var = "PORT";
  EXPECT_NO_THROW(validate_cluster(app));
  app.cluster.public_port = 3000;
  app.increment_var = "WORKER_PORT";
  EXPECT_NO_THROW(validate_cluster(app));
  app.env["WORKER_PORT"] = "abc";
  EXPECT_THROW(validate_cluster(app), Error);
}

TEST(Cluster, ValidatesTheLoadBalancingMode) {
  AppDecl app = app_with_port("3000");
  app.cluster.enabled = true;
  app.cluster.public_port = 3000;
  EXPECT_FALSE(app.cluster.shared());  // proxy by default
  apply_cluster_text({.lb = "shared"}, app.cluster);
  EXPECT_NO_THROW(validate_cluster(app));
  EXPECT_TRUE(app.cluster.shared());
  app.cluster.endpoints = Endpoints::Unix;  // shared mode has no private endpoints to choose
  EXPECT_THROW(validate_cluster(app), Error);
  app.cluster.endpoints = Endpoints::Tcp;
  EXPECT_THROW(apply_cluster_text({.lb = "reuseport"}, app.cluster), Error);
  EXPECT_THROW(apply_cluster_text({.endpoints = "unix"}, app.cluster), Error);
  EXPECT_EQ(app.cluster.endpoints, Endpoints::Tcp);  // all or nothing
  try {
    apply_cluster_text({.lb = "reuseport"}, app.cluster);
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "the load balancing mode must be proxy or shared, got 'reuseport'");
  }
}

// Shared mode: every instance accepts on the public socket, fd 3, and PORT is the public port.
TEST(Cluster, InjectsThePublicPortAndTheInheritedSocketInSharedMode) {
  AppDecl app = app_with_port("3000");
  app.interpreter = "/usr/bin/node";
  app.cluster.enabled = true;
  app.cluster.public_port = 3000;
  app.cluster.lb = LbMode::Shared;
  InstanceContext ctx;
  ctx.id = 4;
  ctx.instance = 1;
  ctx.node_preload = "/usr/share/pmctl/pmctl-preload.cjs";
  auto env = injected_env(app, ctx);
  EXPECT_EQ(env.at("PORT"), "3000");
  EXPECT_EQ(env.at("PMCTL_LISTEN_FD"), "3");
  EXPECT_EQ(env.at("PMCTL_PUBLIC_PORT"), "3000");
  EXPECT_EQ(env.at("NODE_APP_INSTANCE"), "1");
  const UnitSpec spec = map_service(app, ctx);
  const PropertyValue* sockets = spec.find("Sockets");
  ASSERT_NE(sockets, nullptr);
  EXPECT_EQ(std::get<std::vector<std::string>>(*sockets),
            (std::vector<std::string>{"pmctl-web-lb.socket"}));
  app.cluster.lb = LbMode::Proxy;
  EXPECT_EQ(map_service(app, ctx).find("Sockets"), nullptr);
  EXPECT_EQ(injected_env(app, ctx).count("PMCTL_LISTEN_FD"), 0u);
}

TEST(Cluster, AllocatesTheLowestFreePortsOfTheRange) {
  const auto all_free = [](std::uint16_t) { return true; };
  EXPECT_EQ(allocate_ports(3, {}, all_free), (std::vector<std::uint16_t>{20000, 20001, 20002}));
  // Held by registered instances (even stopped ones), or in use on the machine: skipped.
  const auto busy_20003 = [](std::uint16_t p) { return p != 20003; };
  EXPECT_EQ(allocate_ports(3, {20000, 20002}, busy_20003),
            (std::vector<std::uint16_t>{20001, 20004, 20005}));
  EXPECT_EQ(allocate_ports(2, {}, all_free, {100, 101}), (std::vector<std::uint16_t>{100, 101}));
  EXPECT_THROW(allocate_ports(3, {}, all_free, {100, 101}), Error);
  EXPECT_THROW(allocate_ports(1, {100}, all_free, {100, 100}), Error);
}

TEST(Cluster, ReadsTheTcpPortsThatRegisteredInstancesHold) {
  EXPECT_EQ(ports_taken({"tcp:127.0.0.1:20001", "", "unix:/run/x.sock", "tcp:127.0.0.1:20007",
                         "tcp:127.0.0.1:junk"}),
            (std::set<std::uint16_t>{20001, 20007}));
}

TEST(Cluster, WritesEndpointsInTheBalancersSyntax) {
  EXPECT_EQ(tcp_endpoint(20001), "tcp:127.0.0.1:20001");
  EXPECT_EQ(unix_endpoint("/run/pmctl/apps/web", 3), "unix:/run/pmctl/apps/web/3.sock");
  EXPECT_EQ(unix_endpoint("/run/pmctl/apps/web", 3, Slot::B), "unix:/run/pmctl/apps/web/3-b.sock");
  EXPECT_EQ(unix_endpoint("/run/pmctl/apps/web", 3, Slot::Saved),
            "unix:/run/pmctl/apps/web/3.sock");
  EXPECT_EQ(port_env_value("tcp:127.0.0.1:20001"), "20001");
  EXPECT_EQ(port_env_value("unix:/run/pmctl/apps/web/3.sock"), "/run/pmctl/apps/web/3.sock");
  EXPECT_EQ(unix_socket_path("unix:/a.sock"), "/a.sock");
  EXPECT_EQ(unix_socket_path("tcp:127.0.0.1:1"), "");
}

TEST(Cluster, WritesTheBackendFile) {
  EXPECT_EQ(backend_file_text("web", {"tcp:127.0.0.1:20000", "tcp:127.0.0.1:20001"}),
            "# pmctl app 'web': 2 instance(s); written by pmctl, read by pmctl-balancer on SIGHUP\n"
            "tcp:127.0.0.1:20000\n"
            "tcp:127.0.0.1:20001\n");
  EXPECT_EQ(backend_file_path("/run/pmctl", "web"), "/run/pmctl/apps/web/backends");
  EXPECT_EQ(cluster_dir("/run/user/1000/pmctl", "web"), "/run/user/1000/pmctl/apps/web");
}

TEST(Cluster, CopiesTheBalancerOnlyWhereTheHardenedServiceCannotSeeIt) {
  EXPECT_TRUE(balancer_needs_copy("/tmp/ci/build/src/balancer/pmctl-balancer", Scope::System));
  EXPECT_TRUE(balancer_needs_copy("/home/dev/pmctl/build/pmctl-balancer", Scope::System));
  EXPECT_TRUE(balancer_needs_copy("/root/pmctl/build/pmctl-balancer", Scope::System));
  EXPECT_TRUE(balancer_needs_copy("/var/tmp/b/pmctl-balancer", Scope::System));
  EXPECT_FALSE(balancer_needs_copy("/usr/libexec/pmctl-balancer", Scope::System));
  EXPECT_FALSE(balancer_needs_copy("/work/pmctl/build/src/balancer/pmctl-balancer", Scope::System));
  EXPECT_FALSE(balancer_needs_copy("/tmp/ci/build/src/balancer/pmctl-balancer", Scope::User));
}

struct EnvCase {
  const char* label;
  int instance;
  std::string endpoint;
  std::string instance_var;
  std::string increment_var;
  std::map<std::string, std::string> app_env;
  std::map<std::string, std::string> expected;  ///< entries that must be in the injected env
  std::vector<std::string> absent;
};

// What each instance finds in its environment.
TEST(Cluster, InjectsEachInstancesPortNumberAndIncrementVar) {
  const std::vector<EnvCase> cases = {
      {"tcp",
       1,
       "tcp:127.0.0.1:20001",
       "NODE_APP_INSTANCE",
       "",
       {{"PORT", "3000"}},
       {{"PORT", "20001"}, {"NODE_APP_INSTANCE", "1"}, {"pm_id", "7"}},
       {}},
      {"unix",
       0,
       "unix:/run/pmctl/apps/web/7.sock",
       "NODE_APP_INSTANCE",
       "",
       {},
       {{"PORT", "/run/pmctl/apps/web/7.sock"}, {"NODE_APP_INSTANCE", "0"}},
       {}},
      {"instance_var",
       2,
       "tcp:127.0.0.1:20002",
       "WORKER",
       "",
       {},
       {{"WORKER", "2"}, {"PORT", "20002"}},
       {"NODE_APP_INSTANCE"}},
      {"increment_var from the app's value",
       2,
       "tcp:127.0.0.1:20002",
       "NODE_APP_INSTANCE",
       "METRICS_PORT",
       {{"METRICS_PORT", "9100"}},
       {{"METRICS_PORT", "9102"}},
       {}},
      {"increment_var from 0",
       3,
       "tcp:127.0.0.1:20003",
       "NODE_APP_INSTANCE",
       "SHARD",
       {},
       {{"SHARD", "3"}},
       {}},
  };
  for (const auto& c : cases) {
    AppDecl app = app_with_port("");
    app.env = c.app_env;
    app.cluster.enabled = true;
    app.instance_var = c.instance_var;
    app.increment_var = c.increment_var;
    InstanceContext ctx;
    ctx.id = 7;
    ctx.instance = c.instance;
    ctx.endpoint = c.endpoint;
    const auto env = injected_env(app, ctx);
    for (const auto& [key, value] : c.expected) {
      const auto it = env.find(key);
      ASSERT_NE(it, env.end()) << c.label << ": " << key;
      EXPECT_EQ(it->second, value) << c.label << ": " << key;
    }
    for (const auto& key : c.absent) EXPECT_EQ(env.count(key), 0u) << c.label << ": " << key;
  }
}

TEST(Cluster, LeavesForkModeAppsPortAndIncrementVarAlone) {
  AppDecl app = app_with_port("3000");
  app.increment_var = "SHARD";
  InstanceContext ctx;
  ctx.endpoint = "tcp:127.0.0.1:20001";
  const auto env = injected_env(app, ctx);
  EXPECT_EQ(env.count("PORT"), 0u);
  EXPECT_EQ(env.count("SHARD"), 0u);
  EXPECT_EQ(env.at("NODE_APP_INSTANCE"), "0");
}

TEST(Cluster, RemovesALeftoverUnixSocketBeforeEachStart) {
  AppDecl app = app_with_port("");
  app.script = "/srv/web.js";
  app.interpreter = "/usr/bin/node";
  app.cwd = "/srv";
  app.cluster.enabled = true;
  InstanceContext ctx;
  ctx.id = 3;
  ctx.endpoint = "unix:/run/pmctl/apps/web/3.sock";
  const UnitSpec spec = map_service(app, ctx);
  const auto* pre = spec.find("ExecStartPreEx");
  ASSERT_NE(pre, nullptr);
  const auto& commands = std::get<std::vector<ExecCommand>>(*pre);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].argv.back(), "/run/pmctl/apps/web/3.sock");
  EXPECT_EQ(std::get<std::string>(*spec.find("Description")),
            "pmctl app 'web' (id 3, cluster instance 0)");
  ctx.endpoint = "tcp:127.0.0.1:20000";
  EXPECT_EQ(map_service(app, ctx).find("ExecStartPreEx"), nullptr);
}

RegistryData apps_for_batches() {
  // ids 0-1: "two" (2 instances); 2-5: "four" (4 instances); 6: "solo", a fork app.
  RegistryData data;
  const auto add = [&](const std::string& name, bool cluster) {
    AppRecord rec;
    rec.id = data.allocate_id();
    rec.decl.name = name;
    rec.decl.cluster.enabled = cluster;
    data.apps.push_back(rec);
  };
  for (int i = 0; i < 2; ++i) add("two", true);
  for (int i = 0; i < 4; ++i) add("four", true);
  add("solo", false);
  return data;
}

TEST(Cluster, ReloadsOneAtATimeUpToTwoInstancesElseTwoAtATime) {
  const RegistryData data = apps_for_batches();
  using Batches = std::vector<std::vector<int>>;
  const struct {
    std::vector<int> ids;
    Batches want;
  } cases[] = {
      {{0, 1}, {{0}, {1}}},
      {{2, 3, 4, 5}, {{2, 3}, {4, 5}}},
      {{2, 3, 4}, {{2, 3}, {4}}},
      {{6}, {{6}}},
      {{0, 1, 2, 3, 4, 5, 6}, {{0}, {1}, {2, 3}, {4, 5}, {6}}},
      {{2, 6, 3}, {{2}, {6}, {3}}},  // only neighbours pair up
      {{1, 2, 3, 0}, {{1}, {2, 3}, {0}}},
      {{}, {}},
  };
  for (const auto& c : cases)
    EXPECT_EQ(reload_batches(data, c.ids), c.want) << ::testing::PrintToString(c.ids);
}

}  // namespace
}  // namespace pmctl::core
