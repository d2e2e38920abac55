// pmctl metrics against the sandbox's systemd: the socket-activated endpoint answers GET
// /metrics in Prometheus's text format (checked by promtool, Debian's prometheus package) for
// fork, pool and cluster apps, its counters move, /json has PM2's `pm2 web` shape, the handler
// serves scrape after scrape and exits when idle (no scrape lost at the moment it exits), the
// balancer's counters move with traffic, bad input changes nothing, disable
// removes it all. Ports: 17680-17689.
#include <gmock/gmock.h>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kPort = 17680;

std::string url(const std::string& path, int port = kPort) {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

/// The value of the sample whose line starts with `prefix` (e.g. `pmctl_up{name="a"`), or -1.
double sample(const std::string& text, const std::string& prefix) {
  std::size_t pos = 0;
  while ((pos = text.find(prefix, pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      const auto end = text.find('\n', pos);
      const std::string line = text.substr(pos, end - pos);
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
    pos += prefix.size();
  }
  return -1;
}

class MetricsTest : public ClusterFixture {
 protected:
  void TearDown() override {
    pmctl({"metrics", "disable"});
    ClusterFixture::TearDown();
  }
  std::string scrape(const std::string& path = "/metrics") {
    return sh("curl -sS --max-time 5 " + url(path)).out;
  }
};

TEST_F(MetricsTest, ServesPrometheusTextThatPromtoolAcceptsForForkPoolAndCluster) {
  start({app_path("server.js"), "--name", "mfork"});
  start({app_path("greet.sh"), "--name", "mpool", "-i", "2"});
  start_cluster_app("http_keepalive.js", "mweb", 2, kPort + 1, {});
  const Result enabled = pmctl({"metrics", "enable", "--port", std::to_string(kPort)});
  ASSERT_EQ(enabled.exit_code, 0) << enabled.err;
  EXPECT_THAT(enabled.out, HasSubstr("http://127.0.0.1:17680/metrics"));
  EXPECT_EQ(unit_property("pmctl-metrics.socket", "ActiveState"), "active");
  EXPECT_EQ(sh("systemctl is-enabled pmctl-metrics.socket").out, "enabled\n");

  const Result checked =
      sh("curl -sS --max-time 5 " + url("/metrics") + " | promtool check metrics");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  const std::string text = scrape();
  ASSERT_FALSE(text.empty()) << "promtool passes an empty text; the scrape must not be";
  EXPECT_EQ(sample(text, "pmctl_up{name=\"mfork\",namespace=\"default\",id=\"0\",mode=\"fork\"}"),
            1)
      << text;
  EXPECT_EQ(sample(text, "pmctl_instances"), 5);
  EXPECT_EQ(sample(text,
                   "pmctl_status{name=\"mfork\",namespace=\"default\",id=\"0\",mode=\"fork\","
                   "status=\"online\"}"),
            1);
  EXPECT_EQ(sample(text,
                   "pmctl_status{name=\"mfork\",namespace=\"default\",id=\"0\",mode=\"fork\","
                   "status=\"stopped\"}"),
            0);
  EXPECT_THAT(
      text, HasSubstr("pmctl_up{name=\"mweb\",namespace=\"default\",id=\"3\",mode=\"cluster\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE pmctl_restarts_total counter"));
  EXPECT_THAT(text, HasSubstr("# TYPE pmctl_memory_bytes gauge"));
  EXPECT_GT(sample(text, "pmctl_memory_bytes{name=\"mfork\""), 0);
  EXPECT_GT(sample(text, "pmctl_start_time_seconds{name=\"mfork\""), 1.7e9);

  const Result head = sh("curl -sS -D - -o /dev/null --max-time 5 " + url("/metrics"));
  EXPECT_THAT(head.out, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8"));

  const auto json = nlohmann::json::parse(scrape("/json"));
  EXPECT_EQ(json["processes"].size(), 5u);
  EXPECT_TRUE(json["system_info"].contains("hostname"));
  EXPECT_TRUE(json["monit"]["loadavg"].is_array());
  EXPECT_EQ(json["processes"][0]["name"], "mfork");

  EXPECT_THAT(sh("curl -s -o /dev/null -w '%{http_code}' " + url("/nope")).out, "404");
  EXPECT_THAT(sh("curl -s -o /dev/null -w '%{http_code}' -X POST " + url("/metrics")).out, "405");
  EXPECT_THAT(sh("printf 'nonsense\\r\\n\\r\\n' | timeout 5 bash -c 'cat > /dev/tcp/127.0.0.1/" +
                 std::to_string(kPort) + "' ; echo")
                  .exit_code,
              0);
  const Result status = pmctl({"metrics", "status"});
  EXPECT_THAT(status.out, HasSubstr("http://127.0.0.1:17680/metrics"));
  EXPECT_THAT(status.out, HasSubstr("pmctl-metrics.socket active"));
}

// One handler answers scrape after scrape (each with that moment's figures: the counters move
// under the same process) and exits after its idle timeout; the next scrape starts it again.
TEST_F(MetricsTest, CountersMoveAndTheHandlerExitsWhenIdle) {
  start({app_path("server.js"), "--name", "mcount"});
  ASSERT_EQ(pmctl({"metrics", "enable", "--port", std::to_string(kPort), "--idle-timeout", "2"})
                .exit_code,
            0);
  EXPECT_EQ(unit_property("pmctl-metrics.service", "ActiveState"), "inactive");
  const std::string prefix = "pmctl_restarts_total{name=\"mcount\"";
  EXPECT_EQ(sample(scrape(), prefix), 0);
  const std::string handler = unit_property("pmctl-metrics.service", "MainPID");
  ASSERT_EQ(pmctl({"restart", "mcount"}).exit_code, 0);
  ASSERT_EQ(pmctl({"restart", "mcount"}).exit_code, 0);
  EXPECT_EQ(sample(scrape(), prefix), 2);
  EXPECT_EQ(unit_property("pmctl-metrics.service", "MainPID"), handler) << "one handler, 2 scrapes";
  EXPECT_GE(sample(scrape(), "pmctl_cpu_seconds_total{name=\"mcount\""), 0);
  EXPECT_THAT(pmctl({"metrics", "status"}).out, HasSubstr("handler: pmctl-metrics.service active"));
  // Idle: it exits, nothing of pmctl stays; the socket is systemd's and still listens.
  EXPECT_TRUE(eventually([] {
    return unit_property("pmctl-metrics.service", "ActiveState") == "inactive";
  })) << sh("systemctl status pmctl-metrics.service").out;
  EXPECT_EQ(unit_property("pmctl-metrics.socket", "ActiveState"), "active");
  EXPECT_EQ(sample(scrape(), prefix), 2);
}

// A scrape that arrives as the handler decides to exit waits in the socket's queue and starts
// the next one: scrapes about one idle timeout apart, none fails, and no start limit trips.
TEST_F(MetricsTest, NoScrapeIsLostWhileTheHandlerComesAndGoes) {
  start({app_path("server.js"), "--name", "mrace"});
  ASSERT_EQ(pmctl({"metrics", "enable", "--port", std::to_string(kPort), "--idle-timeout", "1"})
                .exit_code,
            0);
  const Result run =
      sh("fails=0; for i in $(seq 16); do c=$(curl -s --max-time 5 -o /dev/null -w "
         "'%{http_code}' " +
         url("/metrics") +
         "); [ \"$c\" = 200 ] || fails=$((fails+1)); sleep 0.9$((i % 10)); done; "
         "echo $fails");
  EXPECT_EQ(run.out, "0\n") << run.err;
  EXPECT_EQ(unit_property("pmctl-metrics.socket", "ActiveState"), "active");
  EXPECT_EQ(unit_property("pmctl-metrics.service", "Result"), "success");
}

// pmctl-balancer publishes its counters with sd_notify STATUS= (at most once a second); the
// scrape reads them from the unit's StatusText.
TEST_F(MetricsTest, TheBalancersConnectionCountersMoveWithTraffic) {
  const int port = kPort + 3;
  start_cluster_app("http_keepalive.js", "mlb", 2, port, {});
  ASSERT_EQ(pmctl({"metrics", "enable", "--port", std::to_string(kPort)}).exit_code, 0);
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(ask(port).empty()) << i;
  const std::string accepted = "pmctl_balancer_connections_accepted_total{name=\"mlb\"";
  EXPECT_TRUE(eventually([&] { return sample(scrape(), accepted) >= 20; }))
      << scrape() << sh("systemctl status pmctl-mlb-lb.service").out;
  const std::string text = scrape();
  EXPECT_EQ(sample(text, "pmctl_balancer_backends{name=\"mlb\""), 2) << text;
  EXPECT_EQ(sample(text, "pmctl_balancer_backends_up{name=\"mlb\""), 2) << text;
  EXPECT_EQ(sample(text, "pmctl_balancer_connections_unserved_total{name=\"mlb\""), 0) << text;
  EXPECT_THAT(text, HasSubstr("# TYPE pmctl_balancer_connections_rehomed_total counter"));
  // systemctl tells the same truth.
  EXPECT_THAT(sh("systemctl status pmctl-mlb-lb.service").out, HasSubstr("accepted="));
  // One sample per app, also when its instances' ids are not adjacent (another app between).
  start_cluster_app("http_keepalive.js", "mlb2", 1, port + 1, {});
  ASSERT_EQ(pmctl({"scale", "mlb", "3"}).exit_code, 0);
  const std::string again = scrape();
  std::size_t samples = 0;
  for (std::size_t at = again.find("\n" + accepted); at != std::string::npos;
       at = again.find("\n" + accepted, at + 1))
    ++samples;
  EXPECT_EQ(samples, 1u) << again;
  EXPECT_THAT(again, HasSubstr("pmctl_balancer_backends{name=\"mlb\",namespace=\"default\"} 3"));
  const Result checked =
      sh("curl -sS --max-time 5 " + url("/metrics") + " | promtool check metrics");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

TEST_F(MetricsTest, BadInputIsRefusedAndChangesNothing) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--port", "0"},
                                               {"--port", "70000"},
                                               {"--port", "x"},
                                               {"--address", "localhost"},
                                               {"--address", "1.2.3"},
                                               {"--idle-timeout", "0"},
                                               {"--idle-timeout", "-5"},
                                               {"--idle-timeout", "86401"}}) {
    std::vector<std::string> argv{"metrics", "enable"};
    argv.insert(argv.end(), args.begin(), args.end());
    const Result r = pmctl(argv);
    EXPECT_EQ(r.exit_code, 1) << args.back() << r.err;
    EXPECT_THAT(r.err, HasSubstr("pmctl: error:"));
  }
  EXPECT_NE(sh("test -e /etc/systemd/system/pmctl-metrics.socket").exit_code, 0);
  EXPECT_THAT(pmctl({"metrics", "status"}).out, HasSubstr("not enabled"));
}

TEST_F(MetricsTest, AnotherPortMovesTheSocketAndDisableRemovesEverything) {
  ASSERT_EQ(pmctl({"metrics", "enable", "--port", std::to_string(kPort)}).exit_code, 0);
  ASSERT_FALSE(scrape().empty());  // the handler runs, holding the socket
  ASSERT_EQ(pmctl({"metrics", "enable", "--port", std::to_string(kPort + 2)}).exit_code, 0);
  EXPECT_EQ(sh("curl -s -o /dev/null -w '%{http_code}' " + url("/metrics", kPort + 2)).out, "200");
  EXPECT_NE(sh("curl -s --max-time 2 " + url("/metrics")).exit_code, 0) << "the old port is closed";
  const Result off = pmctl({"metrics", "disable"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_THAT(off.out, HasSubstr("removed"));
  EXPECT_NE(sh("test -e /etc/systemd/system/pmctl-metrics.socket").exit_code, 0);
  EXPECT_NE(sh("test -e /etc/systemd/system/pmctl-metrics.service").exit_code, 0);
  EXPECT_NE(sh("test -e /etc/systemd/system/sockets.target.wants/pmctl-metrics.socket").exit_code,
            0);
  EXPECT_EQ(unit_property("pmctl-metrics.socket", "LoadState"), "not-found");
  EXPECT_EQ(unit_property("pmctl-metrics.service", "LoadState"), "not-found");
  EXPECT_NE(sh("curl -s --max-time 2 " + url("/metrics", kPort + 2)).exit_code, 0);
  EXPECT_THAT(pmctl({"metrics", "disable"}).out, HasSubstr("nothing to do"));
}

}  // namespace
}  // namespace pmctl::test
