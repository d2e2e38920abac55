#include "core/lifecycle/boot_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/state/startup_record.hpp"
#include "lifecycle_parts_fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using BootStoreTest = PartsTest;

TEST_F(BootStoreTest, StartupEnablesPmctlTargetAndUnstartupUndoesExactlyThat) {
  if (geteuid() != 0) GTEST_SKIP() << "startup of the system manager needs root";
  boot_.startup();
  EXPECT_TRUE(fs::exists(dir_ / "boot" / core::kBootTarget));
  EXPECT_EQ(manager_.enabled.count(core::kBootTarget), 1u);
  EXPECT_TRUE(core::read_startup_record(dir_ / "state").target_created);
  boot_.unstartup();
  EXPECT_FALSE(fs::exists(dir_ / "boot" / core::kBootTarget));  // startup made it, so it goes
  EXPECT_EQ(manager_.enabled.count(core::kBootTarget), 0u);
  EXPECT_FALSE(fs::exists(core::startup_record_path(dir_ / "state")));
  EXPECT_TRUE(lingers_.empty());  // the system manager needs no lingering
}

TEST_F(BootStoreTest, AStartupTheManagerRefusesLeavesNoTargetFileBehind) {
  if (geteuid() != 0) GTEST_SKIP() << "startup of the system manager needs root";
  manager_.fail_enable = true;
  EXPECT_THROW(boot_.startup(), core::ManagerError);
  EXPECT_FALSE(fs::exists(dir_ / "boot" / core::kBootTarget));
  EXPECT_FALSE(fs::exists(core::startup_record_path(dir_ / "state")));
}

TEST_F(BootStoreTest, SaveThenResurrectBringsBackADeletedApp) {
  const int id = new_apps_.start_fork(decl("api"), false);
  EXPECT_EQ(boot_.save(false), 1);
  instances_.remove(id);
  std::string source;
  EXPECT_EQ(boot_.resurrect(source), std::vector<std::string>{"api"});
  EXPECT_EQ(registry_.load().apps.size(), 1u);
  EXPECT_FALSE(source.empty());
}

}  // namespace
}  // namespace pmctl::test
