// `systemctl daemon-reload` (which package upgrades run) against pmctl's transient units in the
// sandbox's systemd 252: every unit comes back loaded with its own commands, so a crash after the
// reload is still restarted with the same arguments, and cluster mode's balancer and reload
// still work. systemd 252 alone loses them ("bad-setting"): pmctl's exec drop-in keeps them.
#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

/// NUL-separated entries of a file written by argv_dump.sh.
std::vector<std::string> entries(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = text.find('\0', pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

class DaemonReloadTest : public ClusterFixture {};

TEST_F(DaemonReloadTest, AForkAppKeepsItsCommandsAndIsStillRestartedWithTheSameArguments) {
  const std::string out = "/run/" + unique_name("argv");
  const std::vector<std::string> args{"x$y", "s;t", "$HOME", "q\"r", "50%"};
  std::vector<std::string> argv{
      "start",           app_path("argv_dump.sh"),      "--name", "drfork", "-p",
      "/run/drfork.pid", "--exp-backoff-restart-delay", "100",    "--",     out};
  argv.insert(argv.end(), args.begin(), args.end());
  ASSERT_EQ(pmctl(argv).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return !read_file(out).empty(); }));
  EXPECT_EQ(entries(out), args);
  const std::string unit = unit_of("drfork");
  const int pid = app("drfork")["pid"];

  ASSERT_EQ(sh("systemctl daemon-reload").exit_code, 0);
  EXPECT_EQ(unit_property(unit, "LoadState"), "loaded");
  EXPECT_EQ(status_of("drfork"), "online");
  EXPECT_EQ(app("drfork")["pid"], pid);

  // A crash after the reload: restarted (after the back-off's first delay), same arguments.
  sh("rm -f " + out + " && kill -9 " + std::to_string(pid));
  ASSERT_TRUE(eventually([&] { return !read_file(out).empty(); }))
      << sh("systemctl status " + unit).out;
  EXPECT_EQ(entries(out), args);
  EXPECT_TRUE(
      eventually([&] { return status_of("drfork") == "online" && app("drfork")["pid"] != pid; }));
  EXPECT_EQ(unit_property(unit, "NRestarts"), "1");

  ASSERT_EQ(pmctl({"delete", "drfork"}).exit_code, 0);
  EXPECT_NE(sh("test -e /run/systemd/system/" + unit + ".d").exit_code, 0);
  sh("rm -f " + out);
}

TEST_F(DaemonReloadTest, AClusterAppKeepsItsBalancerAndReloadsAfterwards) {
  const int port = 17170;
  start_cluster_app("http_keepalive.js", "drweb", 2, port, {});
  ASSERT_EQ(sh("systemctl daemon-reload").exit_code, 0);
  for (const auto& row : rows("drweb"))
    EXPECT_EQ(unit_property(row["pm2_env"]["unit"], "LoadState"), "loaded")
        << row["pm2_env"]["unit"];
  EXPECT_EQ(unit_property(lb("drweb", ".service"), "LoadState"), "loaded");
  const std::string balancer = unit_property(lb("drweb", ".service"), "MainPID");
  sh("kill -9 " + balancer);  // restarted by systemd with its reloaded commands
  EXPECT_TRUE(eventually([&] {
    const std::string now = unit_property(lb("drweb", ".service"), "MainPID");
    return now != "0" && now != balancer;
  }));
  const Result r = pmctl({"reload", "drweb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  ASSERT_EQ(pmctl({"delete", "drweb"}).exit_code, 0);
  EXPECT_NE(sh("test -e /run/systemd/system/" + lb("drweb", ".service") + ".d").exit_code, 0);
}

}  // namespace
}  // namespace pmctl::test
