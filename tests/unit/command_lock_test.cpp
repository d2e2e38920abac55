#include "core/state/command_lock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "core/types/error.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class CommandLockTest : public ::testing::Test {
 protected:
  CommandLockTest()
      : dir_(fs::temp_directory_path() / ("pmctl-lock-" + std::to_string(getpid()))) {}
  ~CommandLockTest() override { fs::remove_all(dir_); }

  static core::LockWait quick(std::string* noticed = nullptr) {
    core::LockWait w;
    w.notice_after = std::chrono::milliseconds(20);
    w.give_up = std::chrono::milliseconds(150);
    if (noticed) w.notice = [noticed](const std::string& holder) { *noticed = holder; };
    return w;
  }

  fs::path dir_;
};

TEST_F(CommandLockTest, ASecondCommandWaitsSaysWhomForAndGivesUpChangingNothing) {
  std::optional<core::CommandLock> first =
      core::CommandLock::acquire(dir_ / "state", "pid 1: pmctl reload api", quick());
  std::string noticed;
  try {
    core::CommandLock::acquire(dir_ / "state", "pid 2: pmctl stop api", quick(&noticed));
    FAIL() << "took a held lock";
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("pid 1: pmctl reload api is still running"));
  }
  EXPECT_EQ(noticed, "pid 1: pmctl reload api");
  first.reset();
  EXPECT_NO_THROW(core::CommandLock::acquire(dir_ / "state", "pid 3: pmctl stop api", quick()));
}

TEST_F(CommandLockTest, HeldElsewhereIsTrueOnlyWhileAnotherHolderHasIt) {
  EXPECT_FALSE(core::CommandLock::held_elsewhere(dir_ / "state"));  // never taken
  {
    const auto held = core::CommandLock::acquire(dir_ / "state", "pid 1", quick());
    EXPECT_TRUE(core::CommandLock::held_elsewhere(dir_ / "state"));
  }
  EXPECT_FALSE(core::CommandLock::held_elsewhere(dir_ / "state"));
}

TEST_F(CommandLockTest, TheTimeoutComesFromTheEnvironmentAndABadOneIsAnError) {
  const auto fallback = std::chrono::milliseconds(5000);
  setenv("PMCTL_LOCK_TIMEOUT", "7", 1);
  EXPECT_EQ(core::lock_timeout_from_env(fallback), std::chrono::seconds(7));
  for (const char* bad : {"x", "-1", "3s", "99999999999999999999"}) {
    setenv("PMCTL_LOCK_TIMEOUT", bad, 1);
    EXPECT_THROW(core::lock_timeout_from_env(fallback), core::Error) << bad;
  }
  setenv("PMCTL_LOCK_TIMEOUT", "", 1);
  EXPECT_EQ(core::lock_timeout_from_env(fallback), fallback);
  unsetenv("PMCTL_LOCK_TIMEOUT");
  EXPECT_EQ(core::lock_timeout_from_env(fallback), fallback);
}

}  // namespace
}  // namespace pmctl::test
