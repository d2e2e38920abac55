// core/base/spawn: the command a companion runs, and running it.
#include "core/base/spawn.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace pmctl::core {
namespace {

TEST(Spawn, BuildsPmctlsSilentActionCommand) {
  EXPECT_EQ(pmctl_action_argv("/usr/bin/pmctl", true, "reload", "7"),
            (std::vector<std::string>{"/usr/bin/pmctl", "--user", "--silent", "reload", "7"}));
  EXPECT_EQ(pmctl_action_argv("/p", false, "restart", "web"),
            (std::vector<std::string>{"/p", "--silent", "restart", "web"}));
}

TEST(Spawn, ReturnsTheExitCodeOr128PlusTheSignalOrMinusOne) {
  EXPECT_EQ(run_and_wait({"/bin/sh", "-c", "exit 3"}), 3);
  EXPECT_EQ(run_and_wait({"/bin/sh", "-c", "kill -TERM $$"}), 128 + SIGTERM);
  EXPECT_EQ(run_and_wait({"/nonexistent/pmctl"}), -1);
}

TEST(Spawn, TheChildDoesNotInheritBlockedSignals) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(sigprocmask(SIG_BLOCK, &term, &old), 0);
  const int status = run_and_wait({"/bin/sh", "-c", "kill -TERM $$; exit 0"});
  sigprocmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(status, 128 + SIGTERM);
}

}  // namespace
}  // namespace pmctl::core
