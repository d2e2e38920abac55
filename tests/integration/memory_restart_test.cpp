// max_memory_restart acts everywhere, the PM2 way: pmctl-memguard, the app's companion unit,
// restarts an instance past the limit (SIGINT, kill_timeout, SIGKILL; a reload for a pool or a
// cluster) within seconds, from /proc where the cgroup has no memory controller (as in this
// sandbox). docs/usage.md, "Memory limits".
#include <gmock/gmock.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

class MemoryRestartTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    once_ = "/tmp/" + unique_name("hog-once");
    std::filesystem::remove(once_);
  }
  void TearDown() override {
    PmctlTest::TearDown();
    std::filesystem::remove(once_);
  }
  /// Starts memory_hog.js holding `mb` once, under `limit`, with `extra` flags.
  Result start_hog(const std::string& name, int mb, const std::string& limit,
                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {"start", app_path("memory_hog.js"), "--name",
                                     name,    "--max-memory-restart",    limit};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return pmctl(argv, {"HOG_MB=" + std::to_string(mb), "HOG_ONCE=" + once_});
  }
  std::string logs(const std::string& name) {
    return pmctl({"logs", name, "--nostream", "--raw", "--lines", "100"}).out;
  }
  /// A name of this run only: the journal keeps earlier runs' lines of a unit name. No '-', so
  /// that unit names need no escaping here.
  static std::string fresh(const std::string& stem) {
    std::string name = unique_name(stem);
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
  }
  std::string guard_log(const std::string& name) {
    return sh("journalctl -u 'pmctl-" + name + "-mem.service' -o cat --no-pager").out;
  }

  std::string once_;
};

TEST_F(MemoryRestartTest, AForkAppPastTheLimitIsRestartedGracefullyWithinFiveSeconds) {
  const std::string hog = fresh("hog");
  const Result r = start_hog(hog, 120, "50M");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // This sandbox's cgroups have no memory controller: the kernel cap cannot hold, and start says
  // what enforces the limit instead.
  EXPECT_THAT(r.err, HasSubstr("no memory controller"));
  const std::string unit = unit_of(hog);
  ASSERT_TRUE(eventually([&] { return logs(hog).find("hog: holding") != std::string::npos; },
                         std::chrono::seconds(10)));
  const auto held = Clock::now();
  ASSERT_TRUE(eventually([&] { return logs(hog).find("hog: SIGINT") != std::string::npos; },
                         std::chrono::seconds(10)));
  EXPECT_LE(Clock::now() - held, std::chrono::seconds(5));
  ASSERT_TRUE(eventually([&] { return logs(hog).find("hog: not holding") != std::string::npos; }));
  const auto a = app(hog);
  EXPECT_EQ(a["pm2_env"]["restart_time"], 1);
  EXPECT_EQ(a["pm2_env"]["status"], "online");
  const std::string said = guard_log(hog);
  EXPECT_THAT(said, HasSubstr(unit + " holds 1"));  // 120-odd MB
  EXPECT_THAT(said, HasSubstr("over max_memory_restart 50.0mb"));
  EXPECT_THAT(said, HasSubstr("RSS from /proc"));
  // The kernel's cap is half as much again, above the guard.
  EXPECT_EQ(unit_property(unit_of(hog), "MemoryMax"), "78643200");
}

TEST_F(MemoryRestartTest, APoolReloadsOnlyTheInstancePastTheLimit) {
  // Both instances read HOG_ONCE: the first to start holds, the other does not.
  const std::string pool = fresh("pool");
  ASSERT_EQ(start_hog(pool, 120, "60M", {"-i", "2"}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return logs(pool).find("hog: SIGINT") != std::string::npos; },
                         std::chrono::seconds(15)));
  EXPECT_THAT(guard_log(pool), HasSubstr("--silent reload "));
  const auto list = jlist();
  int restarted = 0;
  for (const auto& a : list) restarted += a["pm2_env"]["restart_time"].get<int>();
  EXPECT_EQ(restarted, 1);
  ASSERT_TRUE(eventually([] {
    const auto l = jlist();
    return l.size() == 2 && l[0]["pm2_env"]["status"] == "online" &&
           l[1]["pm2_env"]["status"] == "online";
  }));
}

TEST_F(MemoryRestartTest, TheGuardFollowsTheAppsLifecycle) {
  const std::string kept = fresh("kept");
  ASSERT_EQ(start_hog(kept, 1, "500M").exit_code, 0);
  const std::string guard = "pmctl-" + kept + "-mem.service";
  ASSERT_TRUE(eventually([&] { return unit_property(guard, "ActiveState") == "active"; }));
  EXPECT_EQ(unit_property(guard, "Slice"), "pmctl-" + kept + ".slice");
  EXPECT_THAT(unit_property(guard, "ExecStart"), HasSubstr("--limit 524288000"));
  const std::string pid = unit_property(guard, "MainPID");

  // A restart leaves a guard that is as it should be alone; a new limit restarts it.
  ASSERT_EQ(pmctl({"restart", kept}).exit_code, 0);
  EXPECT_EQ(unit_property(guard, "MainPID"), pid);
  ASSERT_EQ(pmctl({"restart", kept, "--max-memory-restart", "400M"}).exit_code, 0);
  EXPECT_THAT(unit_property(guard, "ExecStart"), HasSubstr("--limit 419430400"));

  // show says the limit and how this host enforces it.
  const Result show = pmctl({"show", kept});
  EXPECT_THAT(show_cell(show.out, "max memory restart"), HasSubstr("400.0mb"));
  EXPECT_THAT(show.out, HasSubstr(guard));

  // A daemon-reload keeps it; stop stops it; start starts it again; delete removes all of it.
  ASSERT_EQ(sh("systemctl daemon-reload").exit_code, 0);
  EXPECT_EQ(unit_property(guard, "ActiveState"), "active");
  EXPECT_THAT(unit_property(guard, "ExecStart"), HasSubstr("pmctl-memguard"));
  ASSERT_EQ(pmctl({"stop", kept}).exit_code, 0);
  EXPECT_EQ(unit_property(guard, "LoadState"), "not-found");
  ASSERT_EQ(pmctl({"start", kept}).exit_code, 0);
  EXPECT_EQ(unit_property(guard, "ActiveState"), "active");
  ASSERT_EQ(pmctl({"delete", kept}).exit_code, 0);
  EXPECT_EQ(unit_property(guard, "LoadState"), "not-found");
  EXPECT_EQ(sh("find /run/systemd /run/pmctl -name '*" + kept + "-mem*'").out, "");
}

TEST_F(MemoryRestartTest, ARenamedAppsGuardMovesWithIt) {
  const std::string before = fresh("before"), after = fresh("after");
  ASSERT_EQ(start_hog(before, 1, "500M").exit_code, 0);
  ASSERT_EQ(pmctl({"restart", before, "--name", after}).exit_code, 0);
  EXPECT_EQ(unit_property("pmctl-" + before + "-mem.service", "LoadState"), "not-found");
  EXPECT_EQ(unit_property("pmctl-" + after + "-mem.service", "ActiveState"), "active");
}

}  // namespace
}  // namespace pmctl::test
