// PM2's `startup -u USER --hp HOME` as root: USER's saved apps start at boot in USER's manager
// (lingering on, pmctl.target enabled there by USER), an unknown user is one error line, and
// every hint names a command that works for the caller. The boot itself: tests/reboot,
// UserRebootTest.RootsStartupDashUStartsTheUsersSavedAppsAtBoot. docs/usage.md, "Boot".
#include <gmock/gmock.h>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kUser = "pmctlsu";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class StartupUserTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    ASSERT_EQ(
        sh(std::string("id -u ") + kUser + " >/dev/null 2>&1 || useradd -m " + kUser).exit_code, 0);
    uid_ = trimmed(sh(std::string("id -u ") + kUser).out);
    gid_ = trimmed(sh(std::string("id -g ") + kUser).out);
    sh(std::string("loginctl disable-linger ") + kUser);
    ASSERT_EQ(sh("systemctl start user@" + uid_ + ".service").exit_code, 0);
  }
  void TearDown() override {
    as_user("delete all");
    sh("rm -rf /home/" + std::string(kUser) + "/.config/systemd /home/" + kUser +
       "/.local/state/pmctl");
    sh(std::string("loginctl disable-linger ") + kUser);
    PmctlTest::TearDown();
  }
  /// pmctl run as the user, in a login-like environment.
  Result as_user(const std::string& args) {
    return sh("setpriv --reuid=" + uid_ + " --regid=" + gid_ +
              " --init-groups env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/" + kUser +
              " USER=" + kUser + " XDG_RUNTIME_DIR=/run/user/" + uid_ + " " + PMCTL_BINARY + " " +
              args + " 2>&1");
  }
  bool lingers() {
    return sh(std::string("test -e /var/lib/systemd/linger/") + kUser).exit_code == 0;
  }
  bool target_enabled() {
    return sh(std::string("test -L /home/") + kUser +
              "/.config/systemd/user/default.target.wants/pmctl.target")
               .exit_code == 0;
  }

  std::string uid_, gid_;
};

TEST_F(StartupUserTest, RootsStartupDashUEnablesTheUsersTargetAndLingeringAndUnstartupUndoesIt) {
  const Result started = as_user("start " + app_path("greet.sh") + " --name sugreet");
  ASSERT_EQ(started.exit_code, 0) << started.out;
  ASSERT_EQ(as_user("save").exit_code, 0);
  ASSERT_FALSE(lingers());

  // The line PM2 tells its users to paste.
  const Result r =
      pmctl({"startup", "systemd", "-u", kUser, "--hp", std::string("/home/") + kUser});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(std::string("Lingering is on for ") + kUser));
  EXPECT_TRUE(lingers());
  EXPECT_TRUE(target_enabled());
  // The user's own files stay the user's.
  EXPECT_EQ(
      trimmed(
          sh(std::string("stat -c %U /home/") + kUser + "/.local/state/pmctl/startup.json").out),
      kUser);

  const Result undone = pmctl({"unstartup", "-u", kUser});
  ASSERT_EQ(undone.exit_code, 0) << undone.out << undone.err;
  EXPECT_FALSE(lingers());
  EXPECT_FALSE(target_enabled());
}

TEST_F(StartupUserTest, AnUnknownUserIsOneErrorLineAndChangesNothing) {
  const std::string before =
      sh("ls /var/lib/systemd/linger 2>/dev/null; systemctl is-enabled pmctl.target 2>&1").out;
  const Result r = pmctl({"startup", "-u", "nosuchuser", "--hp", "/home/nosuchuser"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "pmctl: error: no user 'nosuchuser' on this system (hint: check the name "
            "('getent passwd nosuchuser'))\n");
  EXPECT_EQ(
      sh("ls /var/lib/systemd/linger 2>/dev/null; systemctl is-enabled pmctl.target 2>&1").out,
      before);
  // A user who is not root cannot do it for another user.
  const Result other = as_user("startup -u root");
  EXPECT_NE(other.exit_code, 0);
  EXPECT_THAT(other.out, HasSubstr("needs root")) << other.out;
}

TEST_F(StartupUserTest, HintsNameACommandThatWorksForTheCaller) {
  // root with --user and no user manager to reach: not told to "use --user".
  const Result r = pmctl({"--user", "start", app_path("greet.sh"), "--name", "sunone"},
                         {"XDG_RUNTIME_DIR=/run/pmctl-no-such-runtime-dir"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, Not(HasSubstr("use --user"))) << r.err;
  EXPECT_THAT(r.err, HasSubstr("leave out --user")) << r.err;
}

}  // namespace
}  // namespace pmctl::test
