// PM2's start flags that map onto unit properties, checked on the unit systemd runs.
#include <gmock/gmock.h>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using Pm2FlagsTest = PmctlTest;

TEST_F(Pm2FlagsTest, MemoryUserGroupTreekillAndPortReachTheUnit) {
  start({app_path("server.js"), "--name", "flagged", "--max-memory-restart", "64M", "--no-treekill",
         "--uid", "nobody", "--gid", "nogroup", "--port", "4321", "-x", "--no-pmx", "-i", "1", "--",
         "--port", "0"});
  ASSERT_TRUE(eventually([] { return status_of("flagged") == "online"; }));
  const std::string unit = unit_of("flagged");
  EXPECT_EQ(unit_property(unit, "MemoryMax"), "67108864");
  EXPECT_EQ(unit_property(unit, "OOMPolicy"), "stop");
  EXPECT_EQ(unit_property(unit, "KillMode"), "mixed");
  EXPECT_EQ(unit_property(unit, "User"), "nobody");
  const std::string pid = unit_property(unit, "MainPID");
  EXPECT_EQ(sh("ps -o user=,group= -p " + pid).out, "nobody   nogroup\n");
  const Result env = pmctl({"env", "flagged"});
  EXPECT_THAT(env.out, ::testing::HasSubstr("PORT: 4321\n")) << env.out;
  EXPECT_THAT(env.out, ::testing::HasSubstr("USER: nobody\n")) << env.out;
  EXPECT_EQ(app("flagged")["pm2_env"]["username"], "nobody");
}

TEST_F(Pm2FlagsTest, NoAutostartRegistersAStoppedApp) {
  start({app_path("server.js"), "--name", "later", "--no-autostart"});
  EXPECT_EQ(status_of("later"), "stopped");
  EXPECT_EQ(sh("systemctl list-units --all --no-legend 'pmctl-later-*' | wc -l").out, "0\n");
  ASSERT_EQ(pmctl({"start", "later"}).exit_code, 0);
  EXPECT_TRUE(eventually([] { return status_of("later") == "online"; }));
}

TEST_F(Pm2FlagsTest, FlagsPmctlCannotHonourAreRefusedWithTheirReason) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-i", "2", "--lb-policy", "rr"}, "has no public port"},  // a pool has no balancer
      {{"--watch"}, "file changes"},
      {{"--cron", "0 * * * *"}, "scheduled restarts"},
      {{"--max-memory-restart", "lots"}, "--max-memory-restart"},
      {{"--uid", "no-such-user-here"}, "no user"},
  };
  for (const auto& [flags, text] : cases) {
    std::vector<std::string> args{"start", app_path("server.js"), "--name", "refused"};
    args.insert(args.end(), flags.begin(), flags.end());
    const Result r = pmctl(args);
    EXPECT_EQ(r.exit_code, 1) << flags.front();
    EXPECT_THAT(r.err, ::testing::HasSubstr(text)) << r.err;
  }
  EXPECT_TRUE(jlist().empty());
}

}  // namespace
}  // namespace pmctl::test
