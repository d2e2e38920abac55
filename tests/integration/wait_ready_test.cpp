// PM2's wait_ready and shutdown_with_message for node apps, through pmctl's preload and
// Type=notify, against the real systemd.
#include <gmock/gmock.h>

#include <chrono>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using WaitReadyTest = PmctlTest;

TEST_F(WaitReadyTest, StartReturnsOnceTheAppHasSaidReady) {
  const Result r =
      pmctl({"start", app_path("ready.js"), "--name", "ready", "--wait-ready", "--", "800"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(r.elapsed, std::chrono::milliseconds(700));
  EXPECT_EQ(status_of("ready"), "online");
  EXPECT_EQ(unit_property(unit_of("ready"), "Type"), "notify");
  // A restart waits for the new process's ready too.
  const Result again = pmctl({"restart", "ready"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_GE(again.elapsed, std::chrono::milliseconds(700));
}

TEST_F(WaitReadyTest, AnAppThatNeverSaysReadyFailsTheStartAfterListenTimeout) {
  const Result r = pmctl({"start", app_path("ready.js"), "--name", "mute", "--wait-ready",
                          "--listen-timeout", "1000", "--", "never"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("did not say ready within 1000 ms")) << r.err;
  EXPECT_GE(r.elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(r.elapsed, std::chrono::seconds(10));
  EXPECT_TRUE(jlist().empty()) << jlist().dump();
}

TEST_F(WaitReadyTest, ShutdownWithMessageStopsTheAppThroughItsMessageHandler) {
  const std::string file = "/tmp/" + unique_name("shutdown") + ".txt";
  // A name of its own: the journal keeps the lines of earlier runs under a reused unit name.
  const std::string name = unique_name("polite");
  start({app_path("shutdown_msg.js"), "--name", name, "--shutdown-with-message", "--", file});
  wait_for_line(name, "waiting for shutdown");
  ASSERT_EQ(pmctl({"stop", name}).exit_code, 0);
  EXPECT_EQ(read_file(file), "graceful");
  EXPECT_EQ(status_of(name), "stopped");
  sh("rm -f " + file);
}

}  // namespace
}  // namespace pmctl::test
