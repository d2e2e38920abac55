// Bad input gets one `pmctl: error:` line, a non-zero exit, and changes nothing.
#include <gmock/gmock.h>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

class BadInputTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    keeper_ = unique_name("keeper");
    start({app_path("server.js"), "--name", keeper_});
    before_ = snapshot();
  }

  std::string snapshot() {
    auto list = jlist();
    for (auto& a : list) a["monit"] = nullptr, a["pm2_env"]["pm_uptime"] = nullptr;
    return list.dump() +
           sh("systemctl list-units --all --no-legend --plain 'pmctl-*' | awk '{print $1, $3, $4}'")
               .out;
  }

  void expect_rejected(const std::vector<std::string>& args, const std::string& fragment,
                       int code = 1) {
    const Result r = pmctl(args);
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_THAT(r.err, ::testing::StartsWith("pmctl: error: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_THAT(r.err, ::testing::HasSubstr(fragment)) << r.err;
    EXPECT_EQ(snapshot(), before_) << "the failed command changed something: " << r.err;
  }

  std::string keeper_;
  std::string before_;
};

TEST_F(BadInputTest, UnknownTargets) {
  expect_rejected({"stop", "nosuchapp"}, "nosuchapp");
  expect_rejected({"restart", "4242"}, "4242");
  expect_rejected({"delete", "/nomatch.*/"}, "nomatch");
  expect_rejected({"show", "nosuchapp"}, "nosuchapp");
}

TEST_F(BadInputTest, MissingScriptAndUnknownInterpreter) {
  expect_rejected({"start", "/nonexistent/app.js"}, "not found");
  expect_rejected({"start", app_path("server.js"), "--name", "x1", "--interpreter", "nosuchnode"},
                  "nosuchnode");
}

TEST_F(BadInputTest, StartingARunningNameWithoutForce) {
  expect_rejected({"start", app_path("server.js"), "--name", keeper_}, "already running");
  const Result forced = pmctl({"start", app_path("server.js"), "--name", keeper_, "-f"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(jlist().size(), 2u);
}

TEST_F(BadInputTest, InvalidNumbersDurationsAndCodes) {
  const std::string s = app_path("server.js");
  expect_rejected({"start", s, "--name", "n1", "--kill-timeout", "abc"}, "--kill-timeout");
  expect_rejected({"start", s, "--name", "n2", "--restart-delay", "10x"}, "--restart-delay");
  expect_rejected({"start", s, "--name", "n3", "--max-restarts", "-1"}, "--max-restarts");
  expect_rejected({"start", s, "--name", "n4", "--stop-exit-codes", "300"}, "--stop-exit-codes");
  expect_rejected({"start", s, "--name", "n5", "--min-uptime", ""}, "--min-uptime");
  expect_rejected({"logs", keeper_, "--lines", "many"}, "--lines");
}

TEST_F(BadInputTest, AppNamesThatCannotBeNames) {
  const std::string s = app_path("server.js");
  for (const std::string& bad :
       {std::string("a/b"), std::string("a b"), std::string(".."), std::string("x..y"),
        std::string("it's"), std::string("\"q\""), std::string("ünïcode"), std::string(300, 'n'),
        std::string("all"), std::string("-dash")})
    expect_rejected({"start", s, "--name", bad}, "name");
}

TEST_F(BadInputTest, EnvNameWithoutAnEcosystemFile) {
  expect_rejected({"start", app_path("server.js"), "--name", "e1", "--env", "production"},
                  "ecosystem");
}

TEST_F(BadInputTest, UnknownCommandSuggestsTheClosestOne) {
  const Result r = pmctl({"strat", "app.js"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("did you mean 'start'")) << r.err;
  EXPECT_EQ(snapshot(), before_);
}

}  // namespace
}  // namespace pmctl::test

namespace pmctl::test {
namespace {

// A user who is not root, reaching for the system manager: refused, with the hint to use --user.
TEST(PermissionTest, ANonRootUserOnTheSystemManagerIsToldToUseUser) {
  const Result r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PMCTL_BINARY,
                        "--system", "start", app_path("server.js"), "--name", "nobodys"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, ::testing::StartsWith("pmctl: error: ")) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("run as root or use --user")) << r.err;
  EXPECT_TRUE(app("nobodys").is_null());
}

}  // namespace
}  // namespace pmctl::test
