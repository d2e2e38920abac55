// What `pmctl startup`/`unstartup` ask of systemd: enabling unit files (Manager) and lingering
// users (logind), against the real systemd of the sandbox; runs inside it as root.
#include <pwd.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/base/linger.hpp"
#include "core/types/manager.hpp"
#include "fixture.hpp"
#include "systemd/logind.hpp"
#include "systemd/sd_manager.hpp"
#include "systemd/sd_manager_impl.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using core::Scope;

const std::string kProbe = "pmctl-test-enable-probe.service";
const fs::path kProbeFile = fs::path("/etc/systemd/system") / kProbe;
const fs::path kProbeLink = fs::path("/etc/systemd/system/multi-user.target.wants") / kProbe;

bool link_exists(const fs::path& path) {
  std::error_code ec;
  return fs::is_symlink(fs::symlink_status(path, ec));
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// The probe unit file exists for each test and is disabled and removed after it.
class UnitFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(kProbeFile) << "[Unit]\nDescription=pmctl enable probe\n\n"
                                 "[Service]\nExecStart=/bin/true\n\n"
                                 "[Install]\nWantedBy=multi-user.target\n";
    ASSERT_TRUE(fs::exists(kProbeFile));
  }

  void TearDown() override {
    sh("systemctl disable " + kProbe);
    std::error_code ec;
    fs::remove(kProbeLink, ec);
    fs::remove(kProbeFile, ec);
    sh("systemctl daemon-reload");
  }

  void enables_and_disables_over(core::Manager& manager) {
    EXPECT_EQ(manager.unit_file_state(kProbe), "disabled");

    manager.enable_unit_files({kProbe});
    EXPECT_TRUE(link_exists(kProbeLink));
    EXPECT_EQ(fs::read_symlink(kProbeLink), kProbeFile);
    EXPECT_EQ(manager.unit_file_state(kProbe), "enabled");
    manager.reload_daemon();
    EXPECT_EQ(trimmed(sh("systemctl is-enabled " + kProbe).out), "enabled");

    manager.disable_unit_files({kProbe});
    EXPECT_FALSE(link_exists(kProbeLink));
    EXPECT_EQ(manager.unit_file_state(kProbe), "disabled");
    manager.reload_daemon();
    EXPECT_EQ(trimmed(sh("systemctl is-enabled " + kProbe).out), "disabled");
  }
};

TEST_F(UnitFilesTest, EnablesAndDisablesAUnitFileOverThePrivateSocket) {
  auto manager = sd::connect_manager(Scope::System);
  enables_and_disables_over(*manager);
}

TEST_F(UnitFilesTest, EnablesAndDisablesAUnitFileThroughTheBroker) {
  auto manager = sd::make_manager(sd::connect_broker(Scope::System));
  enables_and_disables_over(*manager);
}

TEST_F(UnitFilesTest, EnablingTwiceIsHarmless) {
  auto manager = sd::connect_manager(Scope::System);
  manager->enable_unit_files({kProbe});
  manager->enable_unit_files({kProbe});
  EXPECT_EQ(manager->unit_file_state(kProbe), "enabled");
  manager->disable_unit_files({kProbe});
  manager->disable_unit_files({kProbe});
  EXPECT_EQ(manager->unit_file_state(kProbe), "disabled");
}

TEST_F(UnitFilesTest, AUnitFileThatDoesNotExistHasNoState) {
  auto manager = sd::connect_manager(Scope::System);
  EXPECT_EQ(manager->unit_file_state("no-such-pmctl.service"), "");
  auto broker = sd::make_manager(sd::connect_broker(Scope::System));
  EXPECT_EQ(broker->unit_file_state("no-such-pmctl.service"), "");
}

TEST_F(UnitFilesTest, EnablingAUnitFileThatDoesNotExistIsAManagerError) {
  auto manager = sd::connect_manager(Scope::System);
  try {
    manager->enable_unit_files({"no-such-pmctl.service"});
    FAIL() << "enable_unit_files did not throw";
  } catch (const core::ManagerError& e) {
    EXPECT_FALSE(e.name().empty()) << e.what();
  }
}

const std::string kLingerUser = "pmctl-linger-probe";

/// The probe user exists for each test; lingering is switched off and the user deleted after.
class LingerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (getpwnam(kLingerUser.c_str()) == nullptr) {
      ASSERT_EQ(sh("useradd -M " + kLingerUser).exit_code, 0);
    }
    const passwd* pw = getpwnam(kLingerUser.c_str());
    ASSERT_NE(pw, nullptr);
    uid_ = pw->pw_uid;
  }

  void TearDown() override {
    if (uid_ == 0) return;
    try {
      sd::set_user_linger(uid_, false);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleanup: " << e.what();
    }
    // userdel refuses a user that still has processes: wait until its user manager (which may
    // still be starting) is gone.
    EXPECT_TRUE(eventually([&] { return user_manager_state() == "inactive" && !has_processes(); },
                           std::chrono::seconds(15)))
        << user_manager_state();
    EXPECT_EQ(sh("userdel " + kLingerUser).exit_code, 0);
  }

  std::string user_manager_state() const {
    return trimmed(sh("systemctl is-active user@" + std::to_string(uid_) + ".service").out);
  }
  bool user_manager_active() const { return user_manager_state() == "active"; }
  bool has_processes() const { return sh("pgrep -u " + std::to_string(uid_)).exit_code == 0; }

  unsigned uid_ = 0;
};

TEST_F(LingerTest, LingeringStartsTheUserManagerAndEndingItStopsIt) {
  ASSERT_FALSE(core::user_lingers(kLingerUser));

  sd::set_user_linger(uid_, true);
  EXPECT_TRUE(core::user_lingers(kLingerUser));
  EXPECT_TRUE(fs::exists(fs::path(core::kLingerDir) / kLingerUser));
  EXPECT_TRUE(eventually([&] { return user_manager_active(); }, std::chrono::seconds(10)))
      << sh("systemctl status user@" + std::to_string(uid_) + ".service").out;

  sd::set_user_linger(uid_, false);
  EXPECT_FALSE(core::user_lingers(kLingerUser));
  EXPECT_TRUE(eventually([&] { return !user_manager_active(); }, std::chrono::seconds(10)));
}

TEST_F(LingerTest, LingeringTwiceIsHarmless) {
  sd::set_user_linger(uid_, true);
  sd::set_user_linger(uid_, true);
  EXPECT_TRUE(core::user_lingers(kLingerUser));
  sd::set_user_linger(uid_, false);
  sd::set_user_linger(uid_, false);
  EXPECT_FALSE(core::user_lingers(kLingerUser));
}

TEST_F(LingerTest, AnUnknownUidIsAManagerErrorWithItsDBusName) {
  // A uid no account has: logind cannot look the user up.
  try {
    sd::set_user_linger(4000000000u, true);
    FAIL() << "set_user_linger did not throw";
  } catch (const core::ManagerError& e) {
    EXPECT_FALSE(e.name().empty()) << e.what();
  }
}

}  // namespace
}  // namespace pmctl::test
