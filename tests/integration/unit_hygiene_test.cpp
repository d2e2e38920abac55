// What an ops engineer sees of pmctl's units in systemd 252: `systemctl status` warns of nothing,
// `systemctl daemon-reload` logs nothing about them, and no drop-in folder or runtime file outlives
// its unit after a delete, a scale down or a reload. docs/systemd.md, "Runtime drop-ins".
#include <gmock/gmock.h>

#include <set>
#include <sstream>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

/// Every pmctl unit the manager has loaded.
std::set<std::string> pmctl_units() {
  return lines_of(
      sh("systemctl list-units --all --plain --no-legend 'pmctl-*' | awk '{print $1}'").out);
}

/// Paths under /run/systemd and /run/pmctl that name `part`.
std::set<std::string> runtime_paths(const std::string& part) {
  return lines_of(sh("find /run/systemd /run/pmctl -name '*" + part + "*' 2>/dev/null | sort").out);
}

/// The paths of `paths` that name `unit` (a unit's runtime files carry its full name).
std::set<std::string> naming(const std::set<std::string>& paths, const std::string& unit) {
  std::set<std::string> out;
  for (const auto& p : paths)
    if (p.ends_with("/" + unit) || p.find("/" + unit + ".d") != std::string::npos ||
        p.ends_with(":" + unit))
      out.insert(p);
  return out;
}

class UnitHygieneTest : public ClusterFixture {
 protected:
  void expect_quiet_status() {
    for (const auto& unit : pmctl_units()) {
      EXPECT_EQ(unit_property(unit, "NeedDaemonReload"), "no") << unit;
      EXPECT_THAT(sh("systemctl status '" + unit + "' 2>&1").out, Not(HasSubstr("changed on disk")))
          << unit;
    }
  }
};

TEST_F(UnitHygieneTest, StatusWarnsOfNothingAndADaemonReloadLogsNothingAboutPmctlUnits) {
  start({app_path("argv_dump.sh"), "--name", "hyfork", "--", "/run/hyfork.argv", "a$b", "c;d"});
  start_cluster_app("http_keepalive.js", "hyweb", 2, 17470, {});
  ASSERT_GE(pmctl_units().size(), 5u);  // 2 instances, balancer socket + service, app slice
  expect_quiet_status();

  const std::string cursor =
      sh("journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p'").out;
  ASSERT_FALSE(cursor.empty());
  ASSERT_EQ(sh("systemctl daemon-reload").exit_code, 0);
  // PID 1's own lines since the reload: none names a pmctl unit or an unknown key.
  const std::string said = sh("journalctl _PID=1 --after-cursor='" +
                              cursor.substr(0, cursor.size() - 1) + "' -o cat --no-pager")
                               .out;
  EXPECT_THAT(said, Not(HasSubstr("pmctl"))) << said;
  EXPECT_THAT(said, Not(HasSubstr("Unknown key"))) << said;
  expect_quiet_status();
  EXPECT_EQ(status_of("hyfork"), "online");
  EXPECT_EQ(answering(17470).size(), 2u);
  sh("rm -f /run/hyfork.argv");
}

TEST_F(UnitHygieneTest, NoDropInOrRuntimeFileOutlivesItsUnit) {
  start_cluster_app("http_keepalive.js", "hyscale", 3, 17471, {});
  std::vector<std::string> before;
  for (const auto& row : rows("hyscale")) before.push_back(row["pm2_env"]["unit"]);
  ASSERT_EQ(before.size(), 3u);
  EXPECT_THAT(naming(runtime_paths("hyscale"), before[2]), Not(IsEmpty()));  // the drop-in

  // Scale down: the removed instance's unit is gone, and so is everything named after it.
  ASSERT_EQ(pmctl({"scale", "hyscale", "2"}).exit_code, 0);
  std::set<std::string> left;
  for (const auto& row : rows("hyscale")) left.insert(row["pm2_env"]["unit"]);
  ASSERT_EQ(left.size(), 2u);
  for (const auto& unit : before)
    if (!left.contains(unit)) {
      EXPECT_EQ(unit_property(unit, "LoadState"), "not-found") << unit;
      EXPECT_THAT(naming(runtime_paths("hyscale"), unit), IsEmpty()) << unit;
    }

  // Reload: every instance moves to a new unit; the old units leave nothing behind.
  const Result r = pmctl({"reload", "hyscale"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& row : rows("hyscale")) EXPECT_FALSE(left.contains(row["pm2_env"]["unit"]));
  for (const auto& unit : left)
    EXPECT_THAT(naming(runtime_paths("hyscale"), unit), IsEmpty()) << unit;
  expect_quiet_status();

  // Delete: nothing under /run/systemd or /run/pmctl names the app.
  ASSERT_EQ(pmctl({"delete", "hyscale"}).exit_code, 0);
  EXPECT_TRUE(eventually([] { return runtime_paths("hyscale").empty(); }))
      << ::testing::PrintToString(runtime_paths("hyscale"));

  // A fork app, stopped then deleted.
  start({app_path("greet.sh"), "--name", "hystop"});
  const std::string unit = unit_of("hystop");
  EXPECT_THAT(naming(runtime_paths("hystop"), unit), Not(IsEmpty()));
  ASSERT_EQ(pmctl({"stop", "hystop"}).exit_code, 0);
  EXPECT_THAT(naming(runtime_paths("hystop"), unit), IsEmpty());
  ASSERT_EQ(pmctl({"restart", "hystop"}).exit_code, 0);
  EXPECT_EQ(status_of("hystop"), "online");
  expect_quiet_status();
  ASSERT_EQ(pmctl({"delete", "hystop"}).exit_code, 0);
  EXPECT_TRUE(eventually([] { return runtime_paths("hystop").empty(); }))
      << ::testing::PrintToString(runtime_paths("hystop"));
}

}  // namespace
}  // namespace pmctl::test
