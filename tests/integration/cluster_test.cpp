// Cluster mode against the sandbox's systemd 252: `start -i N` runs N instance units of a real
// node HTTP app behind the balancer's socket and service, and every verb acts on both.
// Public ports are in 17100-17199: below the ephemeral range (32768-60999), where an outgoing
// connection could hold a test's port.
#include <gmock/gmock.h>

#include <future>
#include <iostream>
#include <set>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using nlohmann::json;

json one_per_request(int port, double seconds) {
  return client_loop("http_client.py", port, seconds);
}

class ClusterTest : public ClusterFixture {
 protected:
  /// Starts `name` from http_instance.js with `instances` behind `port`; waits until each
  /// instance has answered through the balancer.
  void start_cluster(const std::string& name, int instances, int port,
                     const std::vector<std::string>& extra = {}) {
    start_cluster_app("http_instance.js", name, instances, port, extra);
  }
};

TEST_F(ClusterTest, TwoInstancesAnswerThePublicPortInTurn) {
  const int port = 17101;
  start_cluster("web", 2, port);
  EXPECT_EQ(answering(port), (std::set<std::string>{"instance=0", "instance=1"}));

  const auto list = rows("web");
  ASSERT_EQ(list.size(), 2u);
  std::set<std::string> private_ports;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& env = list[i]["pm2_env"];
    EXPECT_EQ(env["exec_mode"], "cluster_mode");
    EXPECT_EQ(env["instances"], 2);
    EXPECT_EQ(env["NODE_APP_INSTANCE"], static_cast<int>(i));
    EXPECT_EQ(env["status"], "online");
    EXPECT_EQ(env["public_port"], port);
    private_ports.insert(env["pm_endpoint"].get<std::string>());
    // systemd agrees: the unit runs, with the pid pmctl shows, in the app's slice.
    const std::string unit = env["unit"];
    EXPECT_EQ(unit_property(unit, "ActiveState"), "active");
    EXPECT_EQ(unit_property(unit, "MainPID"), std::to_string(list[i]["pid"].get<int>()));
    EXPECT_EQ(unit_property(unit, "Slice"), "pmctl-web.slice");
  }
  EXPECT_EQ(private_ports.size(), 2u);
  // The instance's own env: PORT is its private port, not the public one.
  const std::string env0 = pmctl({"env", "0"}).out;
  EXPECT_THAT(env0, ::testing::HasSubstr("NODE_APP_INSTANCE: 0")) << env0;
  // Lines are "KEY: value"; PMCTL_PUBLIC_PORT (for the node preload) does carry the public port.
  EXPECT_THAT("\n" + env0,
              ::testing::Not(::testing::HasSubstr("\nPORT: " + std::to_string(port) + "\n")))
      << env0;
  EXPECT_THAT(env0, ::testing::HasSubstr("PMCTL_PUBLIC_PORT: " + std::to_string(port) + "\n"))
      << env0;

  EXPECT_EQ(unit_property(lb("web", ".socket"), "ActiveState"), "active");
  EXPECT_EQ(unit_property(lb("web", ".socket"), "Listen"),
            "0.0.0.0:" + std::to_string(port) + " (Stream)");
  EXPECT_EQ(unit_property(lb("web", ".service"), "ActiveState"), "active");
  EXPECT_EQ(unit_property(lb("web", ".service"), "Slice"), "pmctl-web.slice");
  const std::string backends = read_file("/run/pmctl/apps/web/backends");
  for (const auto& endpoint : private_ports)
    EXPECT_THAT(backends, ::testing::HasSubstr(endpoint + "\n"));

  const Result ls = pmctl({"ls"});
  EXPECT_EQ(std::count(ls.out.begin(), ls.out.end(), '\n'), 6) << ls.out;  // 4 frame lines, 2 rows
  EXPECT_THAT(ls.out, ::testing::HasSubstr("cluster")) << ls.out;
  const Result show = pmctl({"show", "web"});
  for (const std::string& text :
       std::vector<std::string>{"cluster_mode", lb("web", ".socket") + ": active (running)",
                                lb("web", ".service") + ": active (running)", "0.0.0.0:17101",
                                "/run/pmctl/apps/web/backends", "balancer policy"})
    EXPECT_THAT(show.out, ::testing::HasSubstr(text)) << text << "\n" << show.out;
}

TEST_F(ClusterTest, AKilledInstanceCostsNoNewClientConnection) {
  const int port = 17102;
  start_cluster("web3", 3, port);
  auto client = std::async(std::launch::async, [port] { return one_per_request(port, 4.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const int victim = rows("web3").at(1)["pid"];
  ASSERT_EQ(sh("kill -9 " + std::to_string(victim)).exit_code, 0);
  const json summary = client.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "client loop across kill -9 of one instance: " << summary.dump() << "\n";
  RecordProperty("requests_ok", summary["ok"].get<int>());
  RecordProperty("requests_failed", summary["failed"].get<int>());
  // The client sends one request at a time, so at most one can be in flight on the killed
  // instance: that one may fail (its bytes went to the instance, and a balancer cannot replay
  // them). Every other connection, those that came while it was down included, must succeed.
  EXPECT_LE(summary["failed"].get<int>(), 1) << summary.dump();
  EXPECT_GT(summary["ok"].get<int>(), 20) << summary.dump();
  EXPECT_EQ(summary["seen"].size(), 3u) << summary.dump();
  // systemd restarted it, and it answers again.
  EXPECT_TRUE(eventually([&] {
    const json a = rows("web3").at(1);
    return a["pm2_env"]["status"] == "online" && a["pid"] != victim;
  }));
  EXPECT_TRUE(eventually([&] { return answering(port).count("instance=1") == 1; }));
}

TEST_F(ClusterTest, AKilledBalancerIsRestartedAndThePortNeverCloses) {
  const int port = 17140;
  start_cluster("lbkill", 2, port);
  const std::string service = lb("lbkill", ".service");
  const std::string before = unit_property(service, "MainPID");
  ASSERT_NE(before, "0");
  auto client = std::async(std::launch::async, [port] { return one_per_request(port, 4.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_EQ(sh("kill -9 " + before).exit_code, 0);
  const json summary = client.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "client loop across kill -9 of the balancer: " << summary.dump() << "\n";
  RecordProperty("requests_ok", summary["ok"].get<int>());
  RecordProperty("requests_failed", summary["failed"].get<int>());
  // The socket unit keeps the port: connections that arrive while the balancer is down wait
  // in the kernel's queue for the restarted one. Only the connection the killed balancer was
  // carrying (one at a time here) can break.
  EXPECT_LE(summary["failed"].get<int>(), 1) << summary.dump();
  EXPECT_GT(summary["ok"].get<int>(), 20) << summary.dump();
  EXPECT_EQ(unit_property(lb("lbkill", ".socket"), "ActiveState"), "active");
  EXPECT_EQ(unit_property(service, "ActiveState"), "active");
  EXPECT_NE(unit_property(service, "MainPID"), before);
  EXPECT_EQ(unit_property(service, "NRestarts"), "1");
}

TEST_F(ClusterTest, StopClosesThePortAndStartBringsEverythingBack) {
  const int port = 17103;
  start_cluster("web", 2, port);
  const json endpoint = rows("web").at(1)["pm2_env"]["pm_endpoint"];
  ASSERT_EQ(pmctl({"stop", "web"}).exit_code, 0);
  for (const auto& a : rows("web")) EXPECT_EQ(a["pm2_env"]["status"], "stopped");
  EXPECT_EQ(unit_property(lb("web", ".socket"), "ActiveState"), "inactive");
  EXPECT_EQ(unit_property(lb("web", ".service"), "ActiveState"), "inactive");
  EXPECT_EQ(ask(port), "");

  ASSERT_EQ(pmctl({"start", "web"}).exit_code, 0);
  EXPECT_EQ(unit_property(lb("web", ".socket"), "ActiveState"), "active");
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  // The same private endpoints as before: they belong to the instances.
  EXPECT_EQ(rows("web").at(1)["pm2_env"]["pm_endpoint"], endpoint);
}

TEST_F(ClusterTest, RestartByIdRestartsOneInstanceAndByNameAllOfThemButNotTheBalancer) {
  const int port = 17104;
  start_cluster("web", 2, port);
  const auto before = rows("web");
  const std::string endpoint1 = before.at(1)["pm2_env"]["pm_endpoint"];
  const std::string balancer = unit_property(lb("web", ".service"), "MainPID");
  ASSERT_EQ(pmctl({"restart", "1"}).exit_code, 0);
  auto after = rows("web");
  EXPECT_EQ(after.at(0)["pid"], before.at(0)["pid"]);
  EXPECT_NE(after.at(1)["pid"], before.at(1)["pid"]);
  EXPECT_EQ(after.at(1)["pm2_env"]["pm_endpoint"], endpoint1);
  EXPECT_EQ(unit_property(lb("web", ".service"), "MainPID"), balancer);
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));

  ASSERT_EQ(pmctl({"restart", "web"}).exit_code, 0);
  const auto again = rows("web");
  EXPECT_NE(again.at(0)["pid"], after.at(0)["pid"]);
  EXPECT_NE(again.at(1)["pid"], after.at(1)["pid"]);
  EXPECT_EQ(unit_property(lb("web", ".service"), "MainPID"), balancer);
  EXPECT_EQ(again.at(1)["pm2_env"]["restart_time"], 2);
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
}

TEST_F(ClusterTest, ARestartOfTheWholeAppGoesOneInstanceAtATimeAndFailsNoRequest) {
  const int port = 17117;
  start_cluster("roll", 2, port);
  auto client = std::async(std::launch::async, [port] { return one_per_request(port, 4.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const Result r = pmctl({"restart", "roll"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json summary = client.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "client loop across 'pmctl restart' of the app: " << summary.dump() << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  EXPECT_EQ(summary["seen"].size(), 2u) << summary.dump();
}

TEST_F(ClusterTest, DeleteRemovesTheInstancesTheBalancerAndItsFiles) {
  const int port = 17105;
  start_cluster("web", 2, port, {"--namespace", "shop"});
  // By namespace and by `all`, as by name.
  ASSERT_EQ(pmctl({"stop", "shop"}).exit_code, 0);
  EXPECT_EQ(unit_property(lb("web", ".socket"), "ActiveState"), "inactive");
  ASSERT_EQ(pmctl({"restart", "shop"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  ASSERT_EQ(pmctl({"delete", "all"}).exit_code, 0);
  EXPECT_TRUE(rows("web").empty());
  for (const std::string& unit :
       {std::string("pmctl-web-0.service"), std::string("pmctl-web-1.service"),
        lb("web", ".socket"), lb("web", ".service")})
    EXPECT_TRUE(eventually([&] { return unit_property(unit, "LoadState") == "not-found"; }))
        << unit;
  EXPECT_NE(sh("test -e /run/pmctl/apps/web").exit_code, 0);
  EXPECT_EQ(ask(port), "");
}

TEST_F(ClusterTest, DeletingOneInstanceTakesItOutOfTheBalancer) {
  const int port = 17106;
  start_cluster("web", 3, port);
  const std::string gone = rows("web").at(1)["pm2_env"]["pm_endpoint"];
  ASSERT_EQ(pmctl({"delete", "1"}).exit_code, 0);
  ASSERT_EQ(rows("web").size(), 2u);
  const std::string backends = read_file("/run/pmctl/apps/web/backends");
  EXPECT_THAT(backends, ::testing::Not(::testing::HasSubstr(gone))) << backends;
  for (const auto& a : rows("web"))
    EXPECT_THAT(backends, ::testing::HasSubstr(a["pm2_env"]["pm_endpoint"].get<std::string>()))
        << backends;
  EXPECT_TRUE(eventually([&] {
    const auto seen = answering(port);
    return seen == std::set<std::string>{"instance=0", "instance=2"};
  }));
}

TEST_F(ClusterTest, AnEcosystemFileWithTwoClusterInstances) {
  const int port = 17107;
  const std::string dir = "/run/" + unique_name("eco");
  sh("mkdir -p " + dir);
  const std::string file = dir + "/cluster.config.js";
  sh("printf '%s' \"module.exports = { apps: [{ name: 'eco-web', script: '" +
     app_path("http_instance.js") +
     "', instances: 2, exec_mode: 'cluster', port: " + std::to_string(port) +
     ", instance_var: 'WORKER_ID', increment_var: 'SHARD', env: { SHARD: '10', "
     "PMCTL_TEST_INSTANCE_VAR: 'WORKER_ID' } }] }\" > " +
     file);
  const Result r = pmctl({"start", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto list = rows("eco-web");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["pm2_env"]["exec_mode"], "cluster_mode");
  EXPECT_EQ(list[1]["pm2_env"]["WORKER_ID"], 1);
  const std::string env1 = pmctl({"env", std::to_string(list[1]["pm_id"].get<int>())}).out;
  EXPECT_THAT(env1, ::testing::HasSubstr("SHARD: 11")) << env1;
  EXPECT_THAT(env1, ::testing::HasSubstr("WORKER_ID: 1")) << env1;
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  // Applying the file again restarts the same two instances.
  ASSERT_EQ(pmctl({"start", file}).exit_code, 0);
  EXPECT_EQ(rows("eco-web").size(), 2u);
  ASSERT_EQ(pmctl({"delete", file}).exit_code, 0);
  EXPECT_TRUE(rows("eco-web").empty());
  EXPECT_EQ(unit_property(lb("eco-web", ".socket"), "LoadState"), "not-found");
  sh("rm -rf " + dir);
}

TEST_F(ClusterTest, UnixSocketEndpointsOnRequest) {
  const int port = 17108;
  start_cluster("uweb", 2, port, {"--instance-endpoint", "unix", "--lb-policy", "leastconn"});
  const std::string endpoint = rows("uweb").at(0)["pm2_env"]["pm_endpoint"];
  EXPECT_EQ(endpoint, "unix:/run/pmctl/apps/uweb/0.sock");
  EXPECT_EQ(sh("test -S /run/pmctl/apps/uweb/0.sock").exit_code, 0);
  // Killed, it restarts on the same path (the old socket file is removed first).
  const int victim = rows("uweb").at(0)["pid"];
  sh("kill -9 " + std::to_string(victim));
  EXPECT_TRUE(eventually([&] { return answering(port).count("instance=0") == 1; }));
}

TEST_F(ClusterTest, RunsUnderAUserManagerToo) {
  ASSERT_EQ(sh("systemctl start user@0.service").exit_code, 0);
  const std::vector<std::string> env{"XDG_RUNTIME_DIR=/run/user/0"};
  const int port = 17118;
  const Result r = pmctl({"--user", "start", app_path("http_instance.js"), "--name", "uweb", "-i",
                          "2", "--port", std::to_string(port)},
                         env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  EXPECT_EQ(unit_property(lb("uweb", ".service"), "ActiveState", true), "active");
  EXPECT_THAT(read_file("/run/user/0/pmctl/apps/uweb/backends"),
              ::testing::HasSubstr("tcp:127.0.0.1:"));
  ASSERT_EQ(pmctl({"--user", "delete", "uweb"}, env).exit_code, 0);
  EXPECT_EQ(ask(port), "");
  EXPECT_NE(sh("test -e /run/user/0/pmctl/apps/uweb").exit_code, 0);
}

// CI clones the repository under /tmp, which the hardened balancer cannot see (PrivateTmp).
TEST_F(ClusterTest, APmctlRunFromTmpCopiesItsBalancerWhereTheServiceCanSeeIt) {
  const std::string tree = "/tmp/" + unique_name("tree");
  ASSERT_EQ(sh("mkdir -p " + tree + "/cli " + tree + "/balancer && cp " + PMCTL_BINARY + " " +
               tree + "/cli/pmctl && cp " + PMCTL_BALANCER + " " + tree + "/balancer/")
                .exit_code,
            0);
  const int port = 17109;
  const std::vector<std::string> start{tree + "/cli/pmctl",
                                       "start",
                                       app_path("http_instance.js"),
                                       "--name",
                                       "tmpweb",
                                       "-i",
                                       "2",
                                       "--port",
                                       std::to_string(port)};
  // Without the node preload beside it (or installed), the start is refused and leaves nothing.
  const Result missing = run(start);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, ::testing::HasSubstr("node preload")) << missing.err;
  EXPECT_TRUE(rows("tmpweb").empty());
  ASSERT_EQ(sh("cp " + std::string(PMCTL_BINARY).substr(0, std::string(PMCTL_BINARY).rfind('/')) +
               "/pmctl-preload.cjs " + tree + "/cli/")
                .exit_code,
            0);
  const Result r = run(start);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  EXPECT_THAT(unit_property(lb("tmpweb", ".service"), "ExecStart"),
              ::testing::HasSubstr("/run/pmctl/bin/pmctl-balancer"));
  sh("rm -rf " + tree);
}

TEST_F(ClusterTest, AnAppThatListensOnThePublicPortItselfRunsBehindTheBalancer) {
  // Written for PM2's cluster module: listen(17130) whatever PORT says. The preload moves each
  // instance's listen() to its own endpoint, so both run and both answer through the balancer.
  const int port = 17130;
  start_cluster("hard", 2, port, {"--", std::to_string(port)});
  EXPECT_EQ(answering(port), (std::set<std::string>{"instance=0", "instance=1"}));
  for (const auto& row : rows("hard")) EXPECT_EQ(row["pm2_env"]["status"], "online");
  const std::string env =
      pmctl({"env", std::to_string(rows("hard").at(0)["pm_id"].get<int>())}).out;
  EXPECT_THAT(env, ::testing::HasSubstr("pmctl-preload.cjs")) << env;
  EXPECT_THAT(env, ::testing::HasSubstr("PMCTL_PUBLIC_PORT: 17130")) << env;
  EXPECT_EQ(pmctl({"delete", "hard"}).exit_code, 0);
}

TEST_F(ClusterTest, NoShimLeavesListenAlone) {
  // Without the preload the same app asks for the port the socket unit holds: EADDRINUSE, and
  // no instance ever answers through the balancer.
  const int port = 17131;
  pmctl({"start", app_path("hardcoded_port.js"), "--name", "noshim", "-i", "2", "--port",
         std::to_string(port), "--no-shim", "--", std::to_string(port)});
  EXPECT_TRUE(eventually([&] {
    return pmctl({"logs", "noshim", "--nostream", "--lines", "50"}).out.find("EADDRINUSE") !=
           std::string::npos;
  }));
  EXPECT_TRUE(answering(port).empty());
  const std::string id = std::to_string(rows("noshim").at(0)["pm_id"].get<int>());
  const std::string env = pmctl({"env", id}).out;
  EXPECT_THAT(env, ::testing::HasSubstr("NODE_APP_INSTANCE")) << env;
  EXPECT_THAT(env, ::testing::Not(::testing::HasSubstr("pmctl-preload"))) << env;
  EXPECT_THAT(env, ::testing::Not(::testing::HasSubstr("PMCTL_PUBLIC_PORT"))) << env;
  EXPECT_EQ(pmctl({"delete", "noshim"}).exit_code, 0);
}

class ClusterErrorsTest : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    ASSERT_EQ(pmctl({"start", app_path("server.js"), "--name", "bystander"}).exit_code, 0);
    bystander_pid_ = app("bystander")["pid"];
  }
  /// One error line, exit 1, nothing new registered or loaded, the bystander untouched.
  void expect_refused(const Result& r, const std::string& text) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_THAT(r.err, ::testing::StartsWith("pmctl: error: ")) << r.err;
    EXPECT_THAT(r.err, ::testing::HasSubstr(text)) << r.err;
    ASSERT_EQ(jlist().size(), 1u);
    EXPECT_EQ(app("bystander")["pid"], bystander_pid_);
    const Result units = sh("systemctl list-units --all --plain --no-legend 'pmctl-bad*'");
    EXPECT_EQ(units.out, "") << units.out;
  }
  Result start_bad(const std::vector<std::string>& flags) {
    std::vector<std::string> args{"start", app_path("http_instance.js"), "--name", "bad"};
    args.insert(args.end(), flags.begin(), flags.end());
    return pmctl(args);
  }
  json bystander_pid_;
};

TEST_F(ClusterErrorsTest, APublicPortInUseIsRefused) {
  // Something else listens on a port of 17110-17119 for the length of the command. (Several to
  // choose from: these ports are in Linux's ephemeral range, so another process's outgoing
  // connection may hold one.) It writes the port to `file` once it listens: should it bind only
  // after pmctl's check, systemd's socket would fail instead, refused with another message (the
  // unit tests cover that path).
  const std::string file = "/run/" + unique_name("holder");
  auto holder = std::async(std::launch::async, [file] {
    return sh(
        "python3 -c 'import socket,sys,time\n"
        "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "for p in range(17110, 17120):\n"
        "  try: s.bind((\"0.0.0.0\", p)); break\n"
        "  except OSError: pass\n"
        "s.listen(); open(sys.argv[1], \"w\").write(str(p)); time.sleep(5)' " +
        file);
  });
  ASSERT_TRUE(eventually([&] { return !read_file(file).empty(); })) << holder.get().err;
  const std::string port = read_file(file);
  expect_refused(start_bad({"-i", "2", "--port", port}), "port " + port + " is already in use");
  holder.get();
  sh("rm -f " + file);
}

TEST_F(ClusterErrorsTest, BadInstanceCountsAndBalancerSettingsWithoutAPortAreRefused) {
  expect_refused(start_bad({"-i", "two", "--port", "17111"}),
                 "-i: 'two' is not a number of instances");
  expect_refused(start_bad({"-i", "1.5", "--port", "17111"}), "not a number of instances");
  expect_refused(start_bad({"-i", "100000", "--port", "17111"}), "more than pmctl runs");
  // Without a port the instances are a pool: a balancer setting would do nothing.
  expect_refused(start_bad({"-i", "2", "--lb", "shared"}),
                 "lb applies behind a balancer, and 'bad' has no public port");
  expect_refused(start_bad({"-i", "2", "--port", "17111", "--lb-policy", "random"}),
                 "rr or leastconn");
  expect_refused(start_bad({"--port", "17111", "--instance-endpoint", "unix"}),
                 "only cluster mode");
}

TEST_F(ClusterErrorsTest, MaxAndZeroResolveToTheCpuCountAndMinusOneToOneLessButAtLeastOne) {
  const int cpus = std::stoi(sh("nproc").out);
  const std::vector<std::pair<std::string, int>> cases = {
      {"max", cpus}, {"0", cpus}, {"-1", std::max(1, cpus - 1)}};
  int port = 17112;
  for (const auto& c : cases) {
    std::string name = "n";
    name += std::to_string(port);  // not "n" + ...: GCC 12 warns falsely (-Wrestrict)
    const Result r = pmctl({"start", app_path("http_instance.js"), "--name", name, "-i", c.first,
                            "--port", std::to_string(port++)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(rows(name).size(), static_cast<std::size_t>(c.second)) << c.first;
    EXPECT_EQ(rows(name).at(0)["pm2_env"]["exec_mode"], "cluster_mode") << c.first;
    ASSERT_EQ(pmctl({"delete", name}).exit_code, 0);
  }
}

TEST_F(ClusterErrorsTest, ANameClashIsRefused) {
  expect_refused(pmctl({"start", app_path("http_instance.js"), "--name", "bystander", "-i", "2",
                        "--port", "17115"}),
                 "an app named 'bystander' is already registered");
}

TEST_F(ClusterErrorsTest, AnInstanceThatFailsToStartLeavesNothingBehind) {
  // wait_ready: the start job of each instance fails when it never says ready.
  expect_refused(pmctl({"start", app_path("ready.js"), "--name", "bad", "-i", "2", "--port",
                        "17116", "--wait-ready", "--listen-timeout", "500", "--", "never"}),
                 "failed");
  EXPECT_NE(sh("test -e /run/pmctl/apps/bad").exit_code, 0);
  EXPECT_EQ(unit_property(lb("bad", ".socket"), "LoadState"), "not-found");
}

TEST_F(ClusterErrorsTest, APrivilegedPortIsRefusedForAUserManager) {
  ASSERT_EQ(sh("systemctl start user@0.service").exit_code, 0);
  const Result r = pmctl(
      {"--user", "start", app_path("http_instance.js"), "--name", "bad", "-i", "2", "--port", "80"},
      {"XDG_RUNTIME_DIR=/run/user/0"});
  expect_refused(r, "port 80 is privileged: a user manager cannot listen below 1024");
  EXPECT_EQ(pmctl({"--user", "jlist"}, {"XDG_RUNTIME_DIR=/run/user/0"}).out, "[]\n");
}

}  // namespace
}  // namespace pmctl::test
