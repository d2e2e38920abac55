#include "core/ecosystem/node_eval.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/base/interpreter.hpp"
#include "core/ecosystem/ecosystem_file.hpp"
#include "core/types/error.hpp"
#include "fake_manager.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

TEST(NodeErrorSummary, KeepsTheErrorLineAndWhereItHappened) {
  EXPECT_EQ(summarize_node_error(
                "/srv/eco.config.js:2\n  apps: [ oops x ]\n               ^\n\n"
                "SyntaxError: Unexpected identifier 'x'\n    at wrapSafe (node:internal)\n"
                "\nNode.js v20.20.2\n"),
            "SyntaxError: Unexpected identifier 'x' (at /srv/eco.config.js:2)");
  EXPECT_EQ(summarize_node_error(
                "file:///srv/e.config.mjs:1\nexport default {\n^\n\n"
                "ReferenceError: x is not defined\n    at file:///srv/e.config.mjs:1:1\n"),
            "ReferenceError: x is not defined (at file:///srv/e.config.mjs:1)");
  EXPECT_EQ(summarize_node_error("hello from the config\nError: boom\n    at Object.<anonymous>\n"),
            "Error: boom");
  EXPECT_EQ(summarize_node_error("\n\nsomething odd\n"), "something odd");
  EXPECT_EQ(summarize_node_error(""), "");
  EXPECT_EQ(summarize_node_error("Error: " + std::string(1000, 'x')).size(), 300u);
}

// Real node, when the machine has one: these run the child process for real.
class NodeEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("PATH");
    if (!find_program("node", path ? path : "", "/")) GTEST_SKIP() << "node is not in PATH";
    char tmpl[] = "/tmp/pmctl-node-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  static std::string error_of(const std::string& path, NodeEvalLimits limits = {}) {
    try {
      evaluate_js_config(path, limits);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }

  fs::path dir_;
};

TEST_F(NodeEvalTest, ReadsModuleExportsOfACommonJsFile) {
  const std::string path = write("ecosystem.config.js",
                                 "const port = 3000 + 1;\n"
                                 "console.log('configs may print');\n"
                                 "module.exports = { apps: [{ name: 'api', script: 'server.js',"
                                 " env: { PORT: port, HOME: process.env.HOME } }] };\n");
  const EcosystemDoc doc = load_ecosystem_file(path);
  ASSERT_EQ(doc.apps.size(), 1u);
  EXPECT_EQ(doc.apps[0]["env"]["PORT"], 3001);
  EXPECT_EQ(doc.apps[0]["env"]["HOME"], std::getenv("HOME") ? std::getenv("HOME") : json());
}

TEST_F(NodeEvalTest, ReadsTheDefaultExportOfAnEsModule) {
  const std::string path = write("ecosystem.config.mjs",
                                 "export default { apps: [{ name: 'esm', script: 'a.mjs' }] };\n");
  EXPECT_EQ(load_ecosystem_file(path).apps.at(0)["name"], "esm");
  const std::string named = write("named.config.mjs", "export const apps = [{ name: 'named' }];\n");
  EXPECT_EQ(load_ecosystem_file(named).apps.at(0)["name"], "named");
}

TEST_F(NodeEvalTest, ReadsACjsFile) {
  const std::string path = write("ecosystem.config.cjs", "module.exports = [{ name: 'c' }];\n");
  EXPECT_EQ(load_ecosystem_file(path).apps.at(0)["name"], "c");
}

TEST_F(NodeEvalTest, StopsAFileThatNeverFinishesWithinTheLimit) {
  const std::string path = write("loop.config.js", "while (true) {}\n");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(path, {.timeout = 1000ms}), "'" + path + "' did not finish within 1 s");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(NodeEvalTest, StopsAFileThatWaitsForeverWithinTheLimit) {
  const std::string path =
      write("wait.config.js",
            "module.exports = new Promise(() => setInterval(() => {}, 1000));\n"
            "require('fs'); setInterval(() => {}, 1000); for (;;) {}\n");
  EXPECT_THAT(error_of(path, {.timeout = 500ms}),
              ::testing::HasSubstr("did not finish within 500 ms"));
}

TEST_F(NodeEvalTest, RejectsOutputThatIsNotJson) {
  const std::string path =
      write("garbage.config.js", "require('fs').writeSync(3, 'garbage');\nmodule.exports = {};\n");
  EXPECT_THROW(
      {
        try {
          load_ecosystem_file(path);
        } catch (const Error& e) {
          EXPECT_THAT(std::string(e.what()),
                      ::testing::HasSubstr("node printed something that is not JSON"))
              << e.what();
          throw;
        }
      },
      Error);
}

TEST_F(NodeEvalTest, IgnoresWhatTheFilePrintsOnItsStdout) {
  const std::string path =
      write("chatty.config.js", "console.log('{not json');\nmodule.exports = { apps: [{}] };\n");
  EXPECT_EQ(evaluate_js_config(path), R"({"apps":[{}]})");
}

TEST_F(NodeEvalTest, ReportsTheErrorNodeGives) {
  const std::string thrower = write("throw.config.js", "throw new Error('boom');\n");
  EXPECT_EQ(error_of(thrower), "cannot read '" + thrower + "': Error: boom (at " + thrower + ":1)");
  const std::string syntax =
      write("syntax.config.js", "module.exports = {\n  apps: [ oops x ]\n};\n");
  EXPECT_THAT(error_of(syntax), ::testing::HasSubstr("SyntaxError: Unexpected identifier"))
      << error_of(syntax);
  EXPECT_THAT(error_of(syntax), ::testing::HasSubstr(syntax + ":2)")) << error_of(syntax);
  const std::string missing = (dir_ / "missing.config.js").string();
  EXPECT_THAT(error_of(missing), ::testing::HasSubstr("Cannot find module")) << error_of(missing);
}

TEST_F(NodeEvalTest, RejectsExportsThatJsonCannotHold) {
  const std::string fn = write("fn.config.js", "module.exports = () => ({ apps: [] });\n");
  EXPECT_THAT(error_of(fn), ::testing::HasSubstr("the file exports nothing that JSON can hold"))
      << error_of(fn);
  const std::string big = write("bigint.config.js", "module.exports = { n: 1n };\n");
  EXPECT_THAT(error_of(big), ::testing::HasSubstr("TypeError")) << error_of(big);
}

TEST_F(NodeEvalTest, RejectsMoreOutputThanTheLimit) {
  const std::string path =
      write("huge.config.js", "module.exports = { apps: [{ name: 'x'.repeat(200000) }] };\n");
  EXPECT_EQ(error_of(path, {.max_output = 100000}),
            "'" + path + "' exports more than 100000 bytes of JSON");
}

TEST_F(NodeEvalTest, LeavesNoProcessOfTheFileBehind) {
  const std::string pid_file = (dir_ / "pid").string();
  const std::string path =
      write("spawn.config.js",
            "const c = require('child_process').spawn('sleep', ['30'], { stdio: 'inherit' });\n"
            "require('fs').writeFileSync('" +
                pid_file +
                "', String(c.pid));\n"
                "module.exports = { apps: [{}] };\n");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(evaluate_js_config(path), R"({"apps":[{}]})");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string skip, state;
    gone = !(stat >> skip >> skip >> state) || state == "Z";
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(gone) << "sleep " << pid << " is still running";
  if (!gone) ::kill(pid, SIGKILL);
}

TEST_F(NodeEvalTest, SaysNodeIsNeededWhenItIsNotInPath) {
  const std::string path = write("eco.config.js", "module.exports = {};\n");
  const std::string saved = std::getenv("PATH");
  setenv("PATH", dir_.c_str(), 1);
  try {
    evaluate_js_config(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "node is needed to read '" + path + "'");
    EXPECT_EQ(e.hint(), "install nodejs or use a .json/.yml ecosystem file");
  }
  setenv("PATH", saved.c_str(), 1);
}

// A file that starts two processes meant to outlive it: one detached in a session of its own
// (setsid), one double-forked (its parent exits at once). Each writes its pid to a file in
// `dir`; the file waits for both before it exports.
std::string escaping_config(const fs::path& dir) {
  const std::string a = (dir / "setsid.pid").string(), b = (dir / "forked.pid").string();
  return "const cp = require('child_process'), fs = require('fs');\n"
         "cp.spawn('sh', ['-c', 'echo $$ > " +
         a +
         "; exec sleep 300'],"
         " { detached: true, stdio: 'ignore' }).unref();\n"
         "cp.execSync(\"sh -c '(sleep 300 & echo $! > " +
         b +
         ") &'\", { stdio: 'ignore' });\n"
         "const end = Date.now() + 5000;\n"
         "while (!(fs.existsSync('" +
         a + "') && fs.existsSync('" + b +
         "')) && Date.now() < end) {}\n"
         "module.exports = { apps: [{ name: 'x' }] };\n";
}

pid_t pid_in(const fs::path& file) {
  pid_t pid = 0;
  std::ifstream(file) >> pid;
  return pid;
}

/// Whether `pid` is a live process (a zombie is not).
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string skip, state;
  return (stat >> skip >> skip >> state) && state != "Z";
}

TEST_F(NodeEvalTest, KillsWhatTheFileStartedDetachedOrDoubleForkedWithoutAManager) {
  const std::string path = write("escape.config.js", escaping_config(dir_));
  EXPECT_EQ(evaluate_js_config(path), R"({"apps":[{"name":"x"}]})");
  for (const char* file : {"setsid.pid", "forked.pid"}) {
    const pid_t pid = pid_in(dir_ / file);
    ASSERT_GT(pid, 0) << file;
    EXPECT_FALSE(alive(pid)) << file << ": " << pid << " is still running";
    if (alive(pid)) ::kill(pid, SIGKILL);
  }
}

TEST_F(NodeEvalTest, FallsBackToKillingThemWhenTheManagerRefusesTheScope) {
  test::FakeManager manager;
  manager.fail_next_start = true;
  const std::string path = write("escape.config.js", escaping_config(dir_));
  EXPECT_EQ(evaluate_js_config(path, {}, &manager), R"({"apps":[{"name":"x"}]})");
  for (const char* file : {"setsid.pid", "forked.pid"}) {
    const pid_t pid = pid_in(dir_ / file);
    EXPECT_FALSE(alive(pid)) << file << ": " << pid << " is still running";
    if (alive(pid)) ::kill(pid, SIGKILL);
  }
}

TEST_F(NodeEvalTest, RunsNodeInAScopeOfItsOwnAndStopsTheScopeAfterwards) {
  test::FakeManager manager;
  const std::string path = write("eco.config.js", "module.exports = { apps: [] };\n");
  EXPECT_EQ(evaluate_js_config(path, {}, &manager), R"({"apps":[]})");
  ASSERT_EQ(manager.calls.size(), 2u);
  const std::string scope = manager.calls[0].substr(std::string("start_transient ").size());
  EXPECT_THAT(scope, ::testing::MatchesRegex("pmctl-eval-[0-9]+\\.scope"));
  EXPECT_EQ(manager.calls[1], "stop " + scope);
  const UnitSpec& spec = manager.specs.at(scope);
  const auto* pids = std::get_if<std::vector<std::uint32_t>>(spec.find("PIDs"));
  ASSERT_NE(pids, nullptr);
  EXPECT_EQ(*pids, std::vector<std::uint32_t>{static_cast<std::uint32_t>(
                       std::stoul(scope.substr(std::string("pmctl-eval-").size())))});
  EXPECT_EQ(*spec.find("KillSignal"), PropertyValue{std::int32_t{SIGKILL}});
  EXPECT_EQ(*spec.find("CollectMode"), PropertyValue{std::string("inactive-or-failed")});
}

TEST_F(NodeEvalTest, StopsTheScopeWhenTheFileFails) {
  test::FakeManager manager;
  const std::string path = write("throw.config.js", "throw new Error('boom');\n");
  EXPECT_THROW(evaluate_js_config(path, {}, &manager), Error);
  ASSERT_EQ(manager.calls.size(), 2u);
  EXPECT_THAT(manager.calls[1], ::testing::StartsWith("stop pmctl-eval-"));
}

}  // namespace
}  // namespace pmctl::core
