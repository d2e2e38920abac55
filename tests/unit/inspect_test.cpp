// js_inspect against the real thing: each case is also printed by the machine's node with
// util.inspect(value, false, null, false), as PM2's prettylist does, and the texts must match.
#include "core/text/inspect.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace pmctl::core {
namespace {

using nlohmann::json;

std::string node_inspect(const json& value) {
  char path[] = "/tmp/pmctl-inspect-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return "mkstemp failed";
  close(fd);
  std::ofstream(path) << value.dump();
  const std::string cmd = std::string("node -e \"const fs=require('fs');process.stdout.write(") +
                          "require('util').inspect(JSON.parse(fs.readFileSync('" + path +
                          "','utf8')),false,null,false))\"";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  unlink(path);
  return out;
}

bool have_node() { return std::system("node --version >/dev/null 2>&1") == 0; }

json numbers(int n, int scale) {
  json a = json::array();
  for (int i = 0; i < n; ++i) a.push_back(i * scale);
  return a;
}

std::vector<json> cases() {
  return {
      json(nullptr),
      json(true),
      json(42),
      json(-7),
      json(1.5),
      json(1e21),
      json(1.5e-7),
      json(3.0),
      json("plain"),
      json("it's"),
      json("say \"hi\" it's"),
      json("a`b'c\"d"),
      json("tab\there\nnew\x01\x7f"),
      json("\\back\\slash"),
      json("ünïcödé ✓ 😀"),
      json(std::string(200, 'x')),
      json("line one is rather long\nline two is also long enough\n" + std::string(150, 'y')),
      json::array(),
      json::object(),
      json::array({"--harmony"}),
      json::array({1, 2, 3}),
      numbers(7, 1),
      numbers(26, 3),
      numbers(30, 1000),
      numbers(120, 1),
      json::array({"a", "bb", "ccc", "dddd", "e", "f", "g", "h"}),
      json::array({"alpha-long-word", "b", "c", "d", "e", "f", "g"}),
      json::parse(R"({"a":1,"b":"two","c":[1,2],"d":{"e":{"f":{"g":1}}}})"),
      json::parse(
          R"({"name":"echo","pm2_env":{"status":"online","restart_time":1,"node_args":["--harmony"],
        "env":{"NODE_ENV":"production","HOME":"/root","PATH":"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        "km_link":false,"exec_mode":"fork_mode","NODE_APP_INSTANCE":0,"axm_options":{},"unique_id":"5d2c1a4e-1b4a-4a3e-9e0b-0c1e2f3a4b5c"},
        "pm_id":0,"monit":{"memory":41234432,"cpu":0.3},"pid":1234})"),
      json::parse(R"({"with space":1,"1abc":2,"_ok":3,"dash-key":"v","quote'key":4})"),
      json::parse(R"([{"a":1},{"b":[{"c":{"d":[1,2,3]}}]}])"),
      json::parse(R"({"short":[["x","y"],["z"]],"n":null})"),
  };
}

TEST(JsInspect, MatchesNodeUtilInspectOnEveryCase) {
  if (!have_node()) GTEST_SKIP() << "node is not installed";
  for (const json& value : cases()) {
    SCOPED_TRACE(value.dump());
    EXPECT_EQ(js_inspect(value), node_inspect(value));
  }
}

TEST(JsInspect, PrintsTheKeysPm2sTestsGrepFor) {
  const json app = json::parse(
      R"({"pm2_env":{"status":"online","restart_time":1,"node_args":["--harmony"],"NODE_APP_INSTANCE":0}})");
  const std::string text = js_inspect(app);
  EXPECT_THAT(text, ::testing::HasSubstr("status: 'online'")) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("restart_time: 1")) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("node_args: [ '--harmony' ]")) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("NODE_APP_INSTANCE: 0")) << text;
}

}  // namespace
}  // namespace pmctl::core
