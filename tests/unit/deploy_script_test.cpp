// The deploy scripts run for real: with `bash -s` on this machine (no ssh) against a bare git
// repository the test makes in a temporary directory.
#include "core/remote/deploy_script.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/remote/deploy.hpp"
#include "core/remote/hosts.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int error_lines(const std::string& err) {
  int n = 0;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) n += line.rfind("pmctl: error: ", 0) == 0;
  return n;
}

struct ScriptRun {
  int status = -1;
  std::string out;
  std::string err;
};

class DeployScriptRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = (tmp && *tmp) ? tmp : "/tmp";
    pattern += "/pmctl-deploy-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_EQ(sh("git init -q --bare repo.git && git clone -q repo.git work"), 0);
    first_ = push("one");
    target_.env = "production";
    target_.hosts = {parse_remote_host("h1")};
    target_.ref = "origin/main";
    target_.remote = "origin";
    target_.branch = "main";
    target_.repo = (dir_ / "repo.git").string();
    target_.path = (dir_ / "srv").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Runs `command` in the temporary directory, output dropped; its exit status.
  int sh(const std::string& command) const {
    std::string line = "cd " + shell_quote(dir_.string());
    line += " && (" + command + ") >/dev/null 2>&1";
    return WEXITSTATUS(std::system(line.c_str()));
  }

  /// A new commit on main with `content` in file `a`, pushed; its short hash.
  std::string push(const std::string& content) {
    std::ofstream(dir_ / "work" / "a") << content << "\n";
    EXPECT_EQ(sh("cd work && git add a && git -c user.name=t -c user.email=t@t commit -qm " +
                 shell_quote(content) + " && git push -q origin HEAD:main"),
              0);
    return short_head("work");
  }

  std::string short_head(const std::string& checkout) const {
    const fs::path file = dir_ / "head";
    sh("git -C " + checkout + " rev-parse --short HEAD > head");
    std::string text = read_text(file);
    fs::remove(file);
    return text.substr(0, text.find('\n'));
  }

  /// Runs the script of `command` with `bash -s`, its stdout through `reader` (a filter).
  ScriptRun run(const DeployCommand& command, const std::string& pre_setup_script = {},
                const std::string& reader = "cat") const {
    std::ofstream(dir_ / "script") << deploy_script(target_, command, "h1", pre_setup_script);
    ScriptRun r;
    r.status =
        sh("bash -o pipefail -c " + shell_quote("bash -s < script 2> err | " + reader + " > out"));
    r.out = read_text(dir_ / "out");
    r.err = read_text(dir_ / "err");
    return r;
  }
  ScriptRun run(DeployAction action) const { return run(DeployCommand{.action = action}); }

  void set_up_and_update() {
    ASSERT_EQ(run(DeployAction::kSetup).status, 0);
    ASSERT_EQ(run(DeployAction::kUpdate).status, 0);
  }

  std::string deploys() const { return read_text(srv() / ".deploys"); }
  fs::path srv() const { return dir_ / "srv"; }

  fs::path dir_;
  std::string first_;
  DeployTarget target_;
};

TEST(DeployScriptTest, BashAcceptsEveryScript) {
  DeployTarget t;
  t.env = "prod";
  t.path = "/srv/it's";
  t.repo = "git@example.org:me/app.git";
  t.ref = "origin/main";
  t.remote = "origin";
  t.branch = "main";
  t.shallow = true;
  t.pre_setup = "echo '$HOME' \"x\"";
  t.post_deploy = "npm ci && pmctl startOrReload ecosystem.config.js --env production";
  t.env_vars = {{"NODE_ENV", "it's \"prod\" $x `y`"}};
  for (DeployAction a :
       {DeployAction::kSetup, DeployAction::kUpdate, DeployAction::kRevert, DeployAction::kCurrent,
        DeployAction::kPrevious, DeployAction::kList, DeployAction::kExec}) {
    const DeployCommand c{.action = a, .revert_count = 2, .exec = "ls 'a b'"};
    const std::string script = deploy_script(t, c, "web1", "#!/bin/sh\necho '\n");
    std::string check = "bash -n <<'PMCTL_END'\n" + script + "PMCTL_END\n";
    EXPECT_EQ(std::system(check.c_str()), 0) << script;
  }
}

TEST_F(DeployScriptRunTest, SetupMakesPm2sLayout) {
  const ScriptRun r = run(DeployAction::kSetup);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  ○ setup complete"));
  EXPECT_TRUE(fs::is_directory(srv() / "source" / ".git"));
  EXPECT_TRUE(fs::is_symlink(srv() / "current"));
  EXPECT_EQ(fs::read_symlink(srv() / "current"), srv() / "source");
  EXPECT_TRUE(fs::is_directory(srv() / "shared" / "logs"));
  EXPECT_TRUE(fs::is_directory(srv() / "shared" / "pids"));
  EXPECT_FALSE(fs::exists(srv() / ".deploys"));
  EXPECT_EQ(short_head("srv/source"), first_);
}

TEST_F(DeployScriptRunTest, ASecondSetupIsRefused) {
  ASSERT_EQ(run(DeployAction::kSetup).status, 0);
  const ScriptRun r = run(DeployAction::kSetup);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(error_lines(r.err), 1);
  EXPECT_THAT(r.err, HasSubstr("pmctl: error: deploy production: h1: setup: " +
                               (srv() / "source").string() + " is already a git checkout"));
  EXPECT_THAT(r.err, HasSubstr("run 'pmctl deploy production' to update it"));
}

TEST_F(DeployScriptRunTest, PreSetupRunsTheLocalScriptAndAFailedPostSetupRemovesTheClone) {
  target_.pre_setup = "./setup.sh";
  target_.post_setup = "exit 4";
  const std::string marker = (dir_ / "pre").string();
  const ScriptRun r = run(DeployCommand{.action = DeployAction::kSetup},
                          "echo \"from the script\" > " + shell_quote(marker) + "\n");
  EXPECT_EQ(read_text(marker), "from the script\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(error_lines(r.err), 1);
  EXPECT_THAT(r.err, HasSubstr("h1: post-setup failed (exit 4)"));
  EXPECT_FALSE(fs::exists(srv() / "source" / ".git"));
  EXPECT_FALSE(fs::exists(srv() / "current"));
  target_.pre_setup.clear();
  target_.post_setup.clear();
  EXPECT_EQ(run(DeployAction::kSetup).status, 0);
}

TEST_F(DeployScriptRunTest, UpdateBeforeSetupSaysToRunSetup) {
  const ScriptRun r = run(DeployAction::kUpdate);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("update: " + (srv() / "source").string() +
                               " is no git checkout (hint: run 'pmctl deploy production setup' "
                               "first)"));
}

TEST_F(DeployScriptRunTest, UpdateMovesSourceAndRecordsTheDeployAfterPostDeploy) {
  ASSERT_EQ(run(DeployAction::kSetup).status, 0);
  const std::string second = push("two");
  target_.post_deploy =
      "cat a > \"$SHARED/seen\"; wc -l < ../.deploys >> \"$SHARED/seen\" 2>/dev/null; "
      "printf '%s' \"$NODE_ENV\" > \"$SHARED/env\"";
  target_.env_vars = {{"NODE_ENV", "it's \"prod\" $x"}};
  const ScriptRun r = run(DeployAction::kUpdate);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  ○ fetching updates"));
  EXPECT_THAT(r.out, HasSubstr("  ○ successfully deployed " + second));
  EXPECT_EQ(short_head("srv/source"), second);
  EXPECT_EQ(read_text(srv() / "shared" / "seen"), "two\n");  // no .deploys yet
  EXPECT_EQ(read_text(srv() / "shared" / "env"), "it's \"prod\" $x");
  EXPECT_EQ(deploys(), second + "\n");
}

TEST_F(DeployScriptRunTest, AFailedPostDeployPutsSourceBackAndLeavesDeploysAlone) {
  set_up_and_update();
  push("two");
  target_.post_deploy = "exit 3";
  const ScriptRun r = run(DeployAction::kUpdate);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(error_lines(r.err), 1);
  EXPECT_THAT(r.err, HasSubstr("pmctl: error: deploy production: h1: post-deploy failed (exit 3)"));
  EXPECT_THAT(r.err, HasSubstr("is back at " + first_));
  EXPECT_EQ(short_head("srv/source"), first_);
  EXPECT_EQ(sh("test \"$(git -C srv/source symbolic-ref --short HEAD)\" = main"), 0);
  EXPECT_EQ(deploys(), first_ + "\n");
}

TEST_F(DeployScriptRunTest, AConnectionLostAfterTheCheckoutStillEndsInARollback) {
  set_up_and_update();
  push("two");
  // The reader goes away after the checkout line, as ssh does when the connection drops: the
  // script must not die on its next progress line with source switched and nothing recorded.
  target_.post_deploy = "sleep 0.3; echo still here";
  const ScriptRun r =
      run(DeployCommand{.action = DeployAction::kUpdate}, "", "sed '/checking out/q'");
  EXPECT_THAT(r.err, HasSubstr("post-deploy failed (exit 141)"));
  EXPECT_EQ(short_head("srv/source"), first_);
  EXPECT_EQ(deploys(), first_ + "\n");
}

TEST_F(DeployScriptRunTest, ALocalChangeFailsTheCheckoutStep) {
  set_up_and_update();
  push("two");
  std::ofstream(srv() / "source" / "a") << "changed on the host\n";
  const ScriptRun r = run(DeployAction::kUpdate);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(error_lines(r.err), 1);
  EXPECT_THAT(r.err, HasSubstr("h1: checkout failed (exit "));
  EXPECT_EQ(short_head("srv/source"), first_);
  EXPECT_EQ(deploys(), first_ + "\n");
}

TEST_F(DeployScriptRunTest, RevertOneGoesBackAndCurrPrevListTellWhere) {
  set_up_and_update();
  const std::string second = push("two");
  ASSERT_EQ(run(DeployAction::kUpdate).status, 0);
  EXPECT_EQ(run(DeployAction::kCurrent).out, second + "\n");
  EXPECT_EQ(run(DeployAction::kPrevious).out, first_ + "\n");
  EXPECT_EQ(run(DeployAction::kList).out, "0\t" + second + "\n1\t" + first_ + "\n");

  const ScriptRun r = run(DeployCommand{.action = DeployAction::kRevert, .revert_count = 1});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(short_head("srv/source"), first_);
  EXPECT_EQ(deploys(), first_ + "\n" + second + "\n" + first_ + "\n");  // PM2's record
  EXPECT_EQ(run(DeployAction::kCurrent).out, first_ + "\n");

  target_.pre_deploy = "touch \"$SHARED/pre-deploy-ran\"";
  const ScriptRun too_far = run(DeployCommand{.action = DeployAction::kRevert, .revert_count = 3});
  EXPECT_EQ(too_far.status, 1);
  EXPECT_THAT(too_far.err, HasSubstr("lists 3 deploys, too few to go back 3"));
  EXPECT_FALSE(fs::exists(srv() / "shared" / "pre-deploy-ran"));  // refused before any hook
}

TEST_F(DeployScriptRunTest, PrevWithOneDeployAndListWithNoneAreClear) {
  ASSERT_EQ(run(DeployAction::kSetup).status, 0);
  const ScriptRun list = run(DeployAction::kList);
  EXPECT_EQ(list.status, 0);
  EXPECT_EQ(list.out, "");
  ASSERT_EQ(run(DeployAction::kUpdate).status, 0);
  const ScriptRun prev = run(DeployAction::kPrevious);
  EXPECT_EQ(prev.status, 1);
  EXPECT_THAT(prev.err, HasSubstr("prev: "));
}

TEST_F(DeployScriptRunTest, AHeldLockRefusesASecondUpdate) {
  set_up_and_update();
  const std::string lock = (srv() / ".pmctl-deploy.lock").string();
  const int fd = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  push("two");
  const ScriptRun r = run(DeployAction::kUpdate);
  close(fd);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(error_lines(r.err), 1);
  EXPECT_THAT(r.err, HasSubstr("h1: lock: another deploy is running there"));
  EXPECT_EQ(short_head("srv/source"), first_);
}

TEST_F(DeployScriptRunTest, ExecRunsInCurrentAndNamesItsFailure) {
  set_up_and_update();
  const ScriptRun ok = run(DeployCommand{.action = DeployAction::kExec, .exec = "pwd; cat a"});
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.out, (srv() / "current").string() + "\none\n");
  const ScriptRun bad = run(DeployCommand{.action = DeployAction::kExec, .exec = "exit 7"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.err, HasSubstr("h1: exec failed (exit 7)"));
}

// run_deploy through a stand-in for ssh (PMCTL_SSH_COMMAND) that runs the script here, notes
// each host it is asked for, and fails like ssh for the host "down".
class DeployRunTest : public DeployScriptRunTest {
 protected:
  void SetUp() override {
    DeployScriptRunTest::SetUp();
    const fs::path fake = dir_ / "fake-ssh";
    std::ofstream(fake) << "#!/bin/bash\n"
                           "while [ \"$1\" != -- ]; do shift; done\n"
                           "[ \"$2\" = down ] && exit 255\n"
                           "echo \"$2\" >> "
                        << shell_quote((dir_ / "contacted").string()) << "\nexec bash -c \"$3\"\n";
    fs::permissions(fake, fs::perms::owner_all);
    setenv("PMCTL_SSH_COMMAND", fake.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("PMCTL_SSH_COMMAND");
    DeployScriptRunTest::TearDown();
  }
  int deploy(DeployAction action) {
    return run_deploy(target_, DeployCommand{.action = action},
                      [this](const std::string& line) { progress_ += line + "\n"; });
  }
  std::string contacted() const { return read_text(dir_ / "contacted"); }

  std::string progress_;
};

TEST_F(DeployRunTest, HostsGoOneAfterAnotherAndTheFirstFailureStopsTheRest) {
  target_.hosts = {parse_remote_host("h1"), parse_remote_host("h2")};
  ASSERT_EQ(deploy(DeployAction::kSetup), 1);  // h2's setup finds h1's checkout: same path here
  EXPECT_EQ(contacted(), "h1\nh2\n");
  EXPECT_EQ(progress_, "--> Deploying to production environment\n--> on host h1\n--> on host h2\n");

  target_.post_deploy = "exit 5";
  fs::remove(dir_ / "contacted");
  EXPECT_EQ(deploy(DeployAction::kUpdate), 1);
  EXPECT_EQ(contacted(), "h1\n");
}

TEST_F(DeployRunTest, SshFailingToConnectNamesTheHostAndSsh) {
  target_.hosts = {parse_remote_host("down"), parse_remote_host("h2")};
  try {
    deploy(DeployAction::kList);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "deploy production: down: ssh failed (exit 255)");
  }
  EXPECT_FALSE(fs::exists(dir_ / "contacted"));
}

TEST_F(DeployRunTest, AFailedPreDeployLocalStopsBeforeTheHost) {
  target_.pre_deploy_local = "exit 4";
  try {
    deploy(DeployAction::kUpdate);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "deploy production: h1: pre-deploy-local failed (exit 4)");
  }
  EXPECT_FALSE(fs::exists(dir_ / "contacted"));
}

}  // namespace
}  // namespace pmctl::core
