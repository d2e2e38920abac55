// Cluster mode's zero-downtime reload against the sandbox's systemd: a client loop across two
// reloads fails no request, pm_ids stay, a replacement that never gets ready leaves the old
// instance serving, and a second reload of the same app is refused while one runs. Scale under a
// client loop fails no request either.
// Public ports are in 17151-17158: below the ephemeral range (32768-60999), where an outgoing
// connection could hold one.
#include <gmock/gmock.h>

#include <future>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using nlohmann::json;

class ClusterReloadTest : public ClusterFixture {
 protected:
  void start_cluster(const std::string& name, int instances, int port,
                     const std::vector<std::string>& extra = {}) {
    start_cluster_app("http_keepalive.js", name, instances, port, extra);
  }

  /// (pm_id, NODE_APP_INSTANCE) of app `name`'s rows, and whether each is online.
  std::vector<std::pair<int, std::string>> ids_of(const std::string& name,
                                                  bool* all_online = nullptr) {
    std::vector<std::pair<int, std::string>> out;
    if (all_online) *all_online = true;
    for (const auto& a : jlist()) {
      if (a["name"] != name) continue;
      out.emplace_back(a["pm_id"].get<int>(), a["pm2_env"]["NODE_APP_INSTANCE"].dump());
      if (all_online && a["pm2_env"]["status"] != "online") *all_online = false;
    }
    return out;
  }

  void reload_twice_under(const std::string& client, const std::string& name, int port) {
    start_cluster(name, 2, port);
    const auto before = ids_of(name);
    auto loop =
        std::async(std::launch::async, [client, port] { return client_loop(client, port, 9.0); });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    for (int i = 0; i < 2; ++i) {
      const Result r = pmctl({"reload", name});
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    const json summary = loop.get();
    ASSERT_TRUE(summary.is_object());
    std::cout << client << " across two 'pmctl reload': " << summary.dump() << "\n";
    EXPECT_EQ(summary["failed"], 0) << summary.dump();
    EXPECT_GT(summary["ok"].get<int>(), 50) << summary.dump();
    bool online = false;
    EXPECT_EQ(ids_of(name, &online), before);
    EXPECT_TRUE(online);
    EXPECT_EQ(answering(port).size(), 2u);
  }
};

TEST_F(ClusterReloadTest, TwoReloadsFailNoRequestOfOneConnectionEachAndKeepThePmIds) {
  reload_twice_under("http_client.py", "rl-close", 17151);
}

TEST_F(ClusterReloadTest, TwoReloadsFailNoRequestOfAKeptAliveClient) {
  reload_twice_under("http_keepalive_client.py", "rl-keep", 17152);
}

// An app that does nothing about kept-alive connections (node closes the idle ones when the
// server closes): the balancer moves each such connection to the new instance at its next
// request (rehoming), so the client never even sees a closed connection ("retried" 0).
TEST_F(ClusterReloadTest, TwoReloadsOfAnAppThatClosesIdleConnectionsCloseNoClientConnection) {
  const int port = 17158;
  start_cluster_app("http_graceful.js", "rlgrace", 2, port, {});
  auto loop = std::async(std::launch::async,
                         [port] { return client_loop("http_keepalive_client.py", port, 6.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  for (int i = 0; i < 2; ++i) {
    const Result r = pmctl({"reload", "rlgrace"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "kept-alive client across two reloads of http_graceful.js: " << summary.dump()
            << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  EXPECT_EQ(summary["retried"], 0) << summary.dump();
  EXPECT_EQ(summary["connections"], 1) << summary.dump();
  EXPECT_GT(summary["ok"].get<int>(), 50) << summary.dump();
}

TEST_F(ClusterReloadTest, FourInstancesReloadTwoAtATimeAndFailNoRequest) {
  const std::string name = "rlfour";  // no dash: unit names escape it as \x2d
  start_cluster(name, 4, 17157);
  const auto before = ids_of(name);
  ASSERT_EQ(before.size(), 4u);
  auto loop =
      std::async(std::launch::async, [] { return client_loop("http_client.py", 17157, 6.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const Result r = pmctl({"reload", name});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "http_client.py across a reload of 4 instances: " << summary.dump() << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  EXPECT_EQ(ids_of(name), before);
  // What PID 1 logged, as "+k" (the replacement of the k-th instance started) and "-k" (the old
  // unit of the k-th instance stopped): two replacements start before their two old units stop.
  std::map<std::string, int> index;
  for (std::size_t k = 0; k < before.size(); ++k)
    index[std::to_string(before[k].first)] = static_cast<int>(k);
  const Result log = sh("journalctl -o cat _PID=1 | grep -E '^(Started|Stopped) pmctl-" + name +
                        "-[0-9]+(-b)?\\.service'");
  std::vector<std::string> steps;
  std::istringstream lines(log.out);
  for (std::string line; std::getline(lines, line);) {
    const bool started = line.rfind("Started", 0) == 0;
    const auto id_at = line.find(name + "-") + name.size() + 1;
    const std::string rest = line.substr(id_at, line.find(".service") - id_at);  // "3" or "3-b"
    const bool replacement = rest.ends_with("-b");
    const std::string id = replacement ? rest.substr(0, rest.size() - 2) : rest;
    if (started != replacement) continue;  // the first start of each, and nothing else
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "+" + std::to_string().
    std::string step(1, started ? '+' : '-');
    steps.push_back(step.append(std::to_string(index.at(id))));
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"+0", "+1", "-0", "-1", "+2", "+3", "-2", "-3"}))
      << log.out;
}

TEST_F(ClusterReloadTest, AReplacementThatNeverGetsReadyAbortsAndTheOldOneKeepsServing) {
  const int port = 17153;
  const std::string flag = "/var/tmp/pmctl-h2-hang-" + std::to_string(getpid());
  start_cluster("rl-hang", 2, port, {"--listen-timeout", "1000", "--setenv", "HANG_IF=" + flag});
  const auto before = ids_of("rl-hang");
  ASSERT_EQ(sh("touch " + flag).exit_code, 0);
  const Result r = pmctl({"reload", "rl-hang"});
  sh("rm -f " + flag);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err,
              ::testing::HasSubstr(
                  "aborted: its replacement did not accept a connection within 1000 ms; the old "
                  "instance keeps serving"))
      << r.err;
  bool online = false;
  EXPECT_EQ(ids_of("rl-hang", &online), before);
  EXPECT_TRUE(online);
  EXPECT_EQ(answering(port).size(), 2u);
  EXPECT_EQ(sh("systemctl list-units --no-legend 'pmctl-rl-hang-*-b.service'").out, "");
}

// Every changing command is one transaction (docs/usage.md, "One command at a time"): a second
// reload waits for the first, says so, then runs.
TEST_F(ClusterReloadTest, ASecondReloadOfTheSameAppWaitsForTheFirstThenRuns) {
  const int port = 17154;
  const std::string flag = "/var/tmp/pmctl-h2-slow-" + std::to_string(getpid());
  start_cluster("rl-twice", 2, port, {"--listen-timeout", "3000", "--setenv", "HANG_IF=" + flag});
  ASSERT_EQ(sh("touch " + flag).exit_code, 0);  // the first reload waits 3 s for its replacement
  auto first = std::async(std::launch::async, [] { return pmctl({"reload", "rl-twice"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  sh("rm -f " + flag);  // the second reload's replacements start as usual
  const Result second = pmctl({"reload", "rl-twice"});
  first.get();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, ::testing::HasSubstr("waiting for the command running now to finish"));
  EXPECT_THAT(second.err, ::testing::HasSubstr("pmctl reload rl-twice"));
  EXPECT_EQ(answering(port).size(), 2u);
}

TEST_F(ClusterReloadTest, ScaleUpAndDownUnderAClientLoopFailsNoRequest) {
  const int port = 17155;
  start_cluster("rl-scale", 2, port);
  auto loop =
      std::async(std::launch::async, [port] { return client_loop("http_client.py", port, 8.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  Result r = pmctl({"scale", "rl-scale", "+2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ids_of("rl-scale"),
            (std::vector<std::pair<int, std::string>>{{0, "0"}, {1, "1"}, {2, "2"}, {3, "3"}}));
  r = pmctl({"scale", "rl-scale", "-1"});  // PM2: the lowest pm_id goes
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = pmctl({"scale", "rl-scale", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "client loop across scale +2, -1, 2: " << summary.dump() << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  bool online = false;
  EXPECT_EQ(ids_of("rl-scale", &online),
            (std::vector<std::pair<int, std::string>>{{2, "2"}, {3, "3"}}));
  EXPECT_TRUE(online);
  EXPECT_EQ(answering(port), (std::set<std::string>{"instance=2", "instance=3"}));
  r = pmctl({"scale", "rl-scale", "+1"});  // the freed number 0 comes back first
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ids_of("rl-scale").back(), (std::pair<int, std::string>{4, "0"}));
}

TEST_F(ClusterReloadTest, ScaleRefusesZeroCopiesOfAForkAppAndNonsense) {
  start_cluster("rl-zero", 2, 17156);
  for (const std::string arg : {"0", "-2", "many"}) {
    const Result r = pmctl({"scale", "rl-zero", arg});
    EXPECT_NE(r.exit_code, 0) << arg;
    EXPECT_THAT(r.err, ::testing::StartsWith("pmctl: error: scale")) << r.err;
  }
  // A fork app scales into a pool (PoolTest); two started with -f are not instances of one.
  ASSERT_EQ(pmctl({"start", app_path("server.js"), "--name", "rl-fork"}).exit_code, 0);
  ASSERT_EQ(pmctl({"start", app_path("server.js"), "--name", "rl-fork", "-f"}).exit_code, 0);
  const Result r = pmctl({"scale", "rl-fork", "3"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, ::testing::HasSubstr(
                         "'rl-fork' is 2 fork-mode apps started with -f, not instances of one"))
      << r.err;
  EXPECT_EQ(ids_of("rl-fork").size(), 2u);
  EXPECT_EQ(ids_of("rl-zero").size(), 2u);
}

}  // namespace
}  // namespace pmctl::test
