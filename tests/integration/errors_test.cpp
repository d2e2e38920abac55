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

// Namespaces follow the names' rules on every way in: the flag, an ecosystem file, a selector.
// A newline in one once drew a row of its own in `ls`.
TEST_F(BadInputTest, NamespacesThatCannotBeNamespaces) {
  const std::string s = app_path("server.js");
  for (const std::string& bad :
       {std::string("prod\n 9 | fake"), std::string("a b"), std::string("all"), std::string("42"),
        std::string(""), std::string("a/b"), std::string(101, 'n')})
    expect_rejected({"start", s, "--name", "ns1", "--namespace", bad}, "invalid namespace");
  const std::string file = "/tmp/" + unique_name("badns") + ".json";
  sh("printf '%s' '{\"apps\": [{\"name\": \"ns2\", \"script\": \"" + s +
     "\", \"namespace\": \"prod\\n 9 | fake\"}]}' > " + file);
  expect_rejected({"start", file}, "field 'namespace': invalid namespace 'prod\\x0a 9 | fake'");
  sh("rm -f " + file);
  expect_rejected({"stop", "prod\nfake"}, "invalid app name or namespace 'prod\\x0afake'");
  expect_rejected({"restart", "a b"}, "invalid app name or namespace 'a b'");
}

// A number is an id, as in PM2 (`pm2 stop 1`): a name of digits only is refused at start.
TEST_F(BadInputTest, ANameOfDigitsIsRefusedAndANumberSelectsTheId) {
  expect_rejected({"start", app_path("server.js"), "--name", "123"}, "digits alone");
  const int id = app(keeper_)["pm_id"].get<int>();
  const Result r = pmctl({"stop", std::to_string(id)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_of(keeper_), "stopped");
}

// PM2 7 starts the script; pmctl too, and says that --env took nothing.
TEST_F(BadInputTest, EnvNameWithoutAnEcosystemFileStartsTheAppAndSaysSo) {
  const Result r = pmctl({"start", app_path("server.js"), "--name", "e1", "--env", "production"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("there is none here")) << r.err;
  EXPECT_TRUE(eventually([] { return status_of("e1") == "online"; }));
  pmctl({"delete", "e1"});
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

namespace pmctl::test {
namespace {

/// pmctl as user nobody, without a user manager, its state in `state_dir`.
Result as_nobody(const std::string& state_dir, const std::string& verb) {
  return run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i",
              "PATH=/usr/bin:/bin", "HOME=/nonexistent", "XDG_STATE_HOME=" + state_dir,
              PMCTL_BINARY, verb});
}

// PM2's ls and jlist never disagree: with no app registered both answer (an empty table, []),
// with apps and no manager to ask both fail with the same one line.
TEST(PermissionTest, LsAndJlistAgreeForAUserWithoutAUserManager) {
  const std::string dir = "/tmp/" + unique_name("nobody-state");
  ASSERT_EQ(sh("mkdir -p " + dir + " && chown 65534:65534 " + dir).exit_code, 0);
  const Result ls = as_nobody(dir, "ls");
  const Result jl = as_nobody(dir, "jlist");
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, ::testing::HasSubstr("namespace"));
  EXPECT_EQ(jl.exit_code, 0) << jl.err;
  EXPECT_EQ(jl.out, "[]\n");
  EXPECT_EQ(ls.err, "");
  EXPECT_EQ(jl.err, "");

  ASSERT_EQ(sh("install -d -o 65534 -g 65534 -m 0700 " + dir +
               "/pmctl && printf '%s' "
               "'{\"version\":1,\"next_id\":1,\"apps\":[{\"id\":0,\"name\":\"web\","
               "\"script\":\"/srv/web/app.js\",\"cwd\":\"/srv\",\"created_at_ms\":5}]}' > " +
               dir + "/pmctl/registry.json && chown 65534:65534 " + dir +
               "/pmctl/registry.json && chmod 0600 " + dir + "/pmctl/registry.json")
                .exit_code,
            0);
  const Result ls2 = as_nobody(dir, "ls");
  const Result jl2 = as_nobody(dir, "jlist");
  EXPECT_EQ(ls2.exit_code, 1) << ls2.out << ls2.err;
  EXPECT_EQ(jl2.exit_code, 1) << jl2.out << jl2.err;
  EXPECT_THAT(ls2.err, ::testing::StartsWith("pmctl: error: ")) << ls2.err;
  EXPECT_EQ(std::count(ls2.err.begin(), ls2.err.end(), '\n'), 1) << ls2.err;
  EXPECT_EQ(ls2.err, jl2.err);
  EXPECT_EQ(ls2.out, "");
  EXPECT_EQ(jl2.out, "");
  sh("rm -rf " + dir);
}

}  // namespace
}  // namespace pmctl::test
