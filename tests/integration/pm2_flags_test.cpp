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
  EXPECT_EQ(unit_property(unit, "MemoryMax"), "100663296");  // 64M and half again
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

// PM2 7's source map support: node runs with --enable-source-maps, so the stack trace of an
// uncaught exception names the original file and line; --disable-source-map-support leaves the
// generated ones.
TEST_F(Pm2FlagsTest, NodeStackTracesNameTheOriginalSourceUnlessDisabled) {
  const std::string mapped = unique_name("mapped");
  const std::string unmapped = unique_name("unmapped");
  start({app_path("mapped_throw.js"), "--name", mapped, "--no-autorestart"});
  start({app_path("mapped_throw.js"), "--name", unmapped, "--no-autorestart",
         "--disable-source-map-support"});
  const auto output = [](const std::string& name) {
    return pmctl({"logs", name, "--nostream", "--raw", "--lines", "100"}).out;
  };
  ASSERT_TRUE(eventually([&] {
    return output(mapped).find("    at ") != std::string::npos &&
           output(unmapped).find("    at ") != std::string::npos;
  })) << output(mapped)
      << output(unmapped);
  EXPECT_THAT(output(mapped), ::testing::HasSubstr("apps/src/original.ts:42:1)"));
  EXPECT_THAT(output(unmapped), ::testing::HasSubstr("apps/mapped_throw.js:5:9)"));
  EXPECT_THAT(output(unmapped), ::testing::Not(::testing::HasSubstr("original.ts")));
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
      {{"--watch-delay", "1"}, "--watch-delay: only matters with --watch"},
      {{"--cron", "0 61 * * *"}, "--cron-restart: '0 61 * * *' is not a cron pattern"},
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

// A command line pmctl cannot run is one pmctl sentence on stderr, never the parser's words.
TEST_F(Pm2FlagsTest, ParserMistakesAreOnePmctlSentence) {
  const std::vector<std::vector<std::string>> lines = {{},
                                                       {"stop"},
                                                       {"ls", "extra"},
                                                       {"ls", "--nope"},
                                                       {"logs", "--lines"},
                                                       {"scale"},
                                                       {"scale", "web"},
                                                       {"env"},
                                                       {"start", app_path("server.js"), "--bogus"},
                                                       {"show"}};
  for (const auto& argv : lines) {
    const Result r = pmctl(argv);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(argv);
    EXPECT_THAT(r.err, ::testing::StartsWith("pmctl: error: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    for (const char* raw : {"not expected", "is required", "Subcommand", "subcommand", "{"})
      EXPECT_THAT(r.err, ::testing::Not(::testing::HasSubstr(raw))) << r.err;
  }
  EXPECT_THAT(pmctl({"stop"}).err, ::testing::HasSubstr("needs a target"));
  EXPECT_THAT(pmctl({"ls", "--nope"}).err, ::testing::HasSubstr("'pmctl ls' has no option --nope"));
  for (const char* cmd : {"start", "logs", "ls", "scale", "startup"})
    EXPECT_THAT(pmctl({cmd, "--help"}).out, ::testing::Not(::testing::HasSubstr("{"))) << cmd;
}

// A command PM2 has and pmctl has not says what to do instead, not "did you mean" another verb.
TEST_F(Pm2FlagsTest, Pm2CommandsPmctlHasNotNameThePmctlWay) {
  for (const char* cmd : {"imonit", "slist", "update", "link", "install", "trigger"}) {
    const Result r = pmctl({cmd});
    EXPECT_EQ(r.exit_code, 2) << cmd;
    EXPECT_THAT(r.err, ::testing::HasSubstr("is a PM2 command pmctl does not have")) << r.err;
    EXPECT_THAT(r.err, ::testing::Not(::testing::HasSubstr("did you mean"))) << r.err;
  }
  EXPECT_THAT(pmctl({"imonit"}).err, ::testing::HasSubstr("'pmctl monit'"));
}

TEST_F(Pm2FlagsTest, VersionSilentSortMiniInstanceVarAndWatchFlagsAsPm2) {
  const Result v = pmctl({"-V"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, pmctl({"--version"}).out);
  // -s: nothing on stdout, the app starts.
  const Result quiet = pmctl(
      {"-s", "start", app_path("greet.sh"), "--name", "fsilent", "--instance-var", "WORKER_ID"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_THAT(pmctl({"env", "fsilent"}).out, ::testing::HasSubstr("WORKER_ID: 0\n"));
  start({app_path("server.js"), "--name", "fbig"});
  // --sort field:desc, and -m's blocks.
  const Result by_name_desc = pmctl({"ls", "--sort", "name:desc"});
  EXPECT_LT(by_name_desc.out.find("fsilent"), by_name_desc.out.find("fbig")) << by_name_desc.out;
  const Result by_name = pmctl({"ls", "--sort", "name"});
  EXPECT_LT(by_name.out.find("fbig"), by_name.out.find("fsilent")) << by_name.out;
  EXPECT_EQ(pmctl({"ls", "--sort", "weight"}).exit_code, 2);
  const Result mini = pmctl({"ls", "-m"});
  EXPECT_THAT(mini.out, ::testing::HasSubstr("+--- fbig\n"));
  EXPECT_THAT(mini.out, ::testing::HasSubstr("status : online\n"));
  for (const char* flag : {"--ignore-watch", "--watch-delay"}) {
    const Result r = pmctl({"start", app_path("server.js"), "--name", "fwatch", flag, "100"});
    EXPECT_EQ(r.exit_code, 1) << flag;
    EXPECT_THAT(r.err, ::testing::HasSubstr("only matters with --watch"));
  }
  EXPECT_EQ(pmctl({"start", app_path("server.js"), "--instance-var", "9X"}).exit_code, 1);
}

// PM2: several scripts in one start are each their own app; all or nothing here, and a bad
// name is refused before any "Starting" line.
TEST_F(Pm2FlagsTest, SeveralScriptsInOneStartAreEachAnAppAllOrNothing) {
  const Result r = pmctl({"start", app_path("greet.sh"), app_path("server.js")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      eventually([] { return status_of("greet") == "online" && status_of("server") == "online"; }));
  ASSERT_EQ(pmctl({"delete", "all"}).exit_code, 0);
  const Result half = pmctl({"start", app_path("greet.sh"), "/no/such/script.js"});
  EXPECT_EQ(half.exit_code, 1);
  EXPECT_EQ(jlist().size(), 0u);  // nothing of it stays
  const Result named = pmctl({"start", app_path("greet.sh"), "--name", "bad name"});
  EXPECT_EQ(named.exit_code, 1);
  EXPECT_THAT(named.out, ::testing::Not(::testing::HasSubstr("Starting"))) << named.out;
}

// --attach follows the output after the start (Ctrl-C ends pmctl, the app runs on); --no-daemon
// keeps pmctl in the foreground the way PM2's does, and stops the app on SIGINT or SIGTERM.
TEST_F(Pm2FlagsTest, AttachFollowsTheOutputAndNoDaemonStopsTheAppOnASignal) {
  const std::string bin = PMCTL_BINARY;
  const Result attached = sh("GREETING=att timeout -k 5 -s INT 3 " + bin + " start " +
                             app_path("greet.sh") + " --name fattach --attach");
  EXPECT_EQ(attached.exit_code, 124);  // ended by the signal
  EXPECT_THAT(attached.out, ::testing::HasSubstr("greeting=att")) << attached.out;
  EXPECT_EQ(status_of("fattach"), "online");
  for (const char* signal : {"INT", "TERM"}) {
    const Result fg = sh(std::string("GREETING=fg timeout -k 5 -s ") + signal + " 3 " + bin +
                         " start " + app_path("greet.sh") + " --name fnodaemon --no-daemon");
    EXPECT_EQ(fg.exit_code, 124) << signal;  // timeout's code: pmctl did not exit by itself
    EXPECT_THAT(fg.out, ::testing::HasSubstr("greeting=fg")) << fg.out;
    EXPECT_THAT(fg.out, ::testing::HasSubstr("stopped 1 app(s)")) << fg.out;
    EXPECT_EQ(status_of("fnodaemon"), "stopped") << signal;
    pmctl({"delete", "fnodaemon"});
  }
}

}  // namespace
}  // namespace pmctl::test
