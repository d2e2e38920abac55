// prettylist and env: PM2's text views of the registered apps.
#include <gmock/gmock.h>

#include <cstdio>
#include <fstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using InfoTest = PmctlTest;

TEST_F(InfoTest, PrettylistIsJlistAsNodesUtilInspectPrintsIt) {
  start({app_path("server.js"), "--name", "pretty-a", "--", "--port", "0"});
  start({app_path("server.js"), "--name", "pretty-b", "--", "--port", "0"});
  ASSERT_EQ(pmctl({"stop", "pretty-b"}).exit_code, 0);
  const Result jl = pmctl({"jlist"});
  ASSERT_EQ(jl.exit_code, 0) << jl.err;
  const Result pretty = pmctl({"prettylist"});
  ASSERT_EQ(pretty.exit_code, 0) << pretty.err;
  // Both commands read live state (pids, uptime, cpu), which may move between the two calls:
  // node formats the jlist taken right after the prettylist, and the two are compared after
  // the same live fields are masked out of both.
  const std::string file = "/tmp/" + unique_name("jlist") + ".json";
  std::ofstream(file) << pmctl({"jlist"}).out;
  const std::string mask = "s/\\(pm_uptime\\|memory\\|cpu\\|pid\\): [0-9.]*/\\1: N/g";
  const Result node =
      sh("node -e \"process.stdout.write(require('util').inspect(JSON.parse("
         "require('fs').readFileSync('" +
         file + "','utf8')),false,null,false)+'\\n')\" | sed '" + mask + "'");
  const Result ours = sh(std::string(PMCTL_BINARY) + " prettylist | sed '" + mask + "'");
  std::remove(file.c_str());
  ASSERT_EQ(node.exit_code, 0) << node.err;
  EXPECT_EQ(ours.out, node.out);
  EXPECT_THAT(pretty.out, ::testing::HasSubstr("name: 'pretty-a'")) << pretty.out;
  EXPECT_THAT(pretty.out, ::testing::HasSubstr("status: 'online'")) << pretty.out;
  EXPECT_THAT(pretty.out, ::testing::HasSubstr("args: [ '--port', '0' ]")) << pretty.out;
}

TEST_F(InfoTest, EnvPrintsWhatTheAppsProcessGets) {
  ASSERT_EQ(pmctl({"start", app_path("server.js"), "--name", "envshow", "--setenv",
                   "GREETING=hello world", "--", "--port", "0"})
                .exit_code,
            0);
  const Result r = pmctl({"env", "envshow"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("GREETING: hello world\n")) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("pm_id: 0\n")) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("name: envshow\n")) << r.out;
  EXPECT_EQ(pmctl({"env", "0"}).out, r.out);
  const Result missing = pmctl({"env", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, ::testing::HasSubstr("no app named 'nope'")) << missing.err;
}

}  // namespace
}  // namespace pmctl::test
