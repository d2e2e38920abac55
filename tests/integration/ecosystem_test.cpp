// Ecosystem files against the real systemd: the formats, actions on a file, --only, --env,
// --update-env, targets, arguments, stdin, and all-or-nothing on a bad file.
#include <gmock/gmock.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

std::string eco(const std::string& file) {
  return std::string(PMCTL_TEST_APPS) + "/../ecosystems/" + file;
}
std::string quoted(const std::string& s) { return "'" + s + "'"; }
std::string pmctl_sh(const std::string& args) { return std::string(PMCTL_BINARY) + " " + args; }

/// NUL-separated entries of a file written by env_dump.sh or argv_dump.sh.
std::vector<std::string> nul_split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\0', pos);
    out.push_back(text.substr(pos, end - pos));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

std::map<std::string, std::string> env_of(const std::string& file) {
  std::map<std::string, std::string> vars;
  for (const auto& entry : nul_split(read_file(file))) {
    const auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return vars;
}

/// Waits for env_dump.sh's file for this run (the file is removed before each start).
std::map<std::string, std::string> wait_env(const std::string& file) {
  EXPECT_TRUE(eventually([&] { return !read_file(file).empty(); })) << file;
  return env_of(file);
}

/// The last `greeting=` line greet.sh printed, as `pmctl logs` shows it. The last one, because
/// a unit name used again in a reused sandbox still has the journal lines of earlier runs.
std::string last_greeting(const std::string& name) {
  const std::string out = pmctl({"logs", name, "--nostream", "--raw", "--lines", "100"}).out;
  const auto pos = out.rfind("greeting=");
  return pos == std::string::npos ? "" : out.substr(pos, out.find('\n', pos) - pos);
}

int restarts_of(const std::string& name) { return app(name)["pm2_env"]["restart_time"].get<int>(); }

class EcosystemTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    sh("rm -f /tmp/eco-*.env /tmp/eco-args.bin");
  }
  Result run_ok(const std::vector<std::string>& args) {
    Result r = pmctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }
  void expect_nothing_registered() {
    EXPECT_TRUE(jlist().empty()) << jlist().dump();
    EXPECT_EQ(sh("systemctl list-units --all --no-legend 'pmctl-*' | wc -l").out, "0\n");
  }
};

TEST_F(EcosystemTest, AJavaScriptFileStartsSixAppsThatSystemdRuns) {
  run_ok({"start", eco("six.config.js")});
  const auto list = jlist();
  ASSERT_EQ(list.size(), 6u) << list.dump();
  for (const auto& a : list) {
    const std::string name = a["name"];
    EXPECT_TRUE(eventually([&] { return status_of(name) == "online"; })) << name;
    EXPECT_EQ(sh("systemctl is-active " + quoted(a["pm2_env"]["unit"])).out, "active\n") << name;
  }
  EXPECT_EQ(wait_env("/tmp/eco-env.env").at("GREETING"), "hello");
  EXPECT_EQ(app("eco-node-args")["pm2_env"]["node_args"],
            nlohmann::json({"--max-old-space-size=64"}));
  EXPECT_EQ(app("eco-node-args")["pm2_env"]["max_restarts"], 0);  // PM2 would ignore the 0
  EXPECT_EQ(app("eco-web-2")["pm2_env"]["args"], nlohmann::json({"--port", "0"}));
}

TEST_F(EcosystemTest, RestartByFileCountsLikePm2AndStartsWhatIsMissing) {
  run_ok({"start", eco("six.config.js"), "--only", "eco-web-1,eco-web-2"});
  ASSERT_EQ(jlist().size(), 2u);
  run_ok({"restart", eco("six.config.js"), "--only", "eco-web-1,eco-web-2,eco-sleep"});
  EXPECT_EQ(restarts_of("eco-web-1"), 1);
  EXPECT_EQ(restarts_of("eco-web-2"), 1);
  EXPECT_EQ(restarts_of("eco-sleep"), 0);  // it was not registered: started, not restarted
  run_ok({"stop", "eco-web-2"});
  run_ok({"restart", eco("six.config.js"), "--only", "eco-web-1 eco-web-2"});
  EXPECT_EQ(restarts_of("eco-web-1"), 2);
  EXPECT_EQ(restarts_of("eco-web-2"), 1);  // a stopped app starts without counting
  EXPECT_EQ(status_of("eco-web-2"), "online");
  run_ok({"startOrRestart", eco("six.config.js"), "--only", "eco-web-1"});
  EXPECT_EQ(restarts_of("eco-web-1"), 3);
  run_ok({"startOrReload", eco("six.config.js"), "--only", "eco-web-1"});
  EXPECT_EQ(restarts_of("eco-web-1"), 4);
}

TEST_F(EcosystemTest, OnlyStopAndDeleteActOnTheFilesApps) {
  run_ok({"start", eco("six.config.js"), "--only", "eco-web-1,eco-py,eco-sleep"});
  run_ok({"start", app_path("server.js"), "--name", "outsider", "--", "--port", "0"});
  run_ok({"stop", eco("six.config.js"), "--only", "eco-py"});
  EXPECT_EQ(status_of("eco-py"), "stopped");
  EXPECT_EQ(status_of("eco-web-1"), "online");
  run_ok({"delete", eco("six.config.js")});
  ASSERT_EQ(jlist().size(), 1u);
  EXPECT_EQ(jlist()[0]["name"], "outsider");
  const Result unknown = pmctl({"start", eco("six.config.js"), "--only", "eco-nope"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, ::testing::HasSubstr("eco-nope")) << unknown.err;
}

TEST_F(EcosystemTest, EnvProductionSwitchesValuesAndARestartByFileGoesBack) {
  run_ok({"start", eco("env.json"), "--env", "production"});
  auto vars = wait_env("/tmp/eco-json-env.env");
  EXPECT_EQ(vars.at("GREETING"), "prod");
  EXPECT_EQ(vars.at("FROM_DEPLOY"), "yes");                         // deploy.production.env
  EXPECT_EQ(vars.at("CONFIG"), R"({"level":1,"tags":["a","b"]})");  // objects arrive as JSON text
  EXPECT_EQ(vars.at("COUNT"), "3");
  // Visible in the app's own output.
  EXPECT_TRUE(eventually([] { return last_greeting("eco-json-greet") == "greeting=prod"; }))
      << last_greeting("eco-json-greet");
  // A restart by name keeps the environment (PM2: immutable without --update-env).
  sh("rm -f /tmp/eco-json-env.env");
  run_ok({"restart", "eco-json-env"});
  EXPECT_EQ(wait_env("/tmp/eco-json-env.env").at("GREETING"), "prod");
  // A restart by file reads the file again; without --env the plain env applies.
  sh("rm -f /tmp/eco-json-env.env");
  run_ok({"restart", eco("env.json")});
  vars = wait_env("/tmp/eco-json-env.env");
  EXPECT_EQ(vars.at("GREETING"), "dev");
  EXPECT_EQ(vars.count("FROM_DEPLOY"), 0u);
  EXPECT_EQ(restarts_of("eco-json-env"), 2);
  EXPECT_TRUE(eventually([] { return last_greeting("eco-json-greet") == "greeting=dev"; }))
      << last_greeting("eco-json-greet");
}

TEST_F(EcosystemTest, UpdateEnvMergesTheCallersEnvironmentOnRestartByName) {
  run_ok({"start", eco("env.json")});
  wait_env("/tmp/eco-json-env.env");
  sh("rm -f /tmp/eco-json-env.env");
  ASSERT_EQ(pmctl({"restart", "eco-json-env"}, {"EXTRA_VAR=first"}).exit_code, 0);
  EXPECT_EQ(wait_env("/tmp/eco-json-env.env").count("EXTRA_VAR"), 0u);
  sh("rm -f /tmp/eco-json-env.env");
  ASSERT_EQ(pmctl({"restart", "eco-json-env", "--update-env"}, {"EXTRA_VAR=second"}).exit_code, 0);
  const auto vars = wait_env("/tmp/eco-json-env.env");
  EXPECT_EQ(vars.at("EXTRA_VAR"), "second");
  EXPECT_EQ(vars.at("GREETING"), "dev");  // merged, never removed
  const Result r = pmctl({"restart", "eco-json-env", "--env", "production"});
  EXPECT_EQ(r.exit_code, 1);  // PM2 exits 1 for --env without a file
  EXPECT_THAT(r.err, ::testing::HasSubstr("needs an ecosystem file")) << r.err;
}

TEST_F(EcosystemTest, YamlFilesWorkAndRegexAndNamespaceTargetsSelectTheirApps) {
  run_ok({"start", eco("apps.yml")});
  run_ok({"start", eco("six.config.js"), "--only", "eco-web-1,eco-web-2"});
  const auto vars = wait_env("/tmp/eco-yaml-a.env");
  EXPECT_EQ(vars.at("GREETING"), "from yaml");
  EXPECT_EQ(vars.at("PORT_NUMBER"), "8080");
  run_ok({"stop", "/^eco-web-[12]$/"});
  EXPECT_EQ(status_of("eco-web-1"), "stopped");
  EXPECT_EQ(status_of("eco-web-2"), "stopped");
  EXPECT_EQ(status_of("eco-yaml-b"), "online");
  run_ok({"restart", "yaml"});  // a namespace
  EXPECT_EQ(restarts_of("eco-yaml-a"), 1);
  EXPECT_EQ(restarts_of("eco-yaml-b"), 1);
  run_ok({"stop", app_path("server.js")});  // a script path: every app running it
  EXPECT_EQ(status_of("eco-yaml-b"), "stopped");
  EXPECT_EQ(status_of("eco-yaml-a"), "online");
}

TEST_F(EcosystemTest, ArgumentsReachTheAppExactlyOnceAndUnchanged) {
  run_ok({"start", eco("args.json")});
  ASSERT_TRUE(eventually([] { return !read_file("/tmp/eco-args.bin").empty(); }));
  const std::vector<std::string> expected = {"two words",       "$HOME",       "${PATH}",
                                             "it's \"quoted\"", "ünïcödé ✓",   "",
                                             "%h %n",           "back\\slash", ";|&"};
  EXPECT_EQ(nul_split(read_file("/tmp/eco-args.bin")), expected);
  // The same through the command line after `--`.
  std::vector<std::string> argv = {"start", app_path("argv_dump.sh"), "--name", "cli-args",
                                   "--",    "/tmp/eco-cli-args.env"};
  argv.insert(argv.end(), expected.begin(), expected.end());
  run_ok(argv);
  ASSERT_TRUE(eventually([] { return !read_file("/tmp/eco-cli-args.env").empty(); }));
  EXPECT_EQ(nul_split(read_file("/tmp/eco-cli-args.env")), expected);
}

TEST_F(EcosystemTest, JsonOnStdinStartsApps) {
  const Result r = sh("printf '%s' \"{apps: [{name: 'eco-stdin', script: 'sleep 1000'}]}\" | " +
                      pmctl_sh("start -"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([] { return status_of("eco-stdin") == "online"; }));
}

TEST_F(EcosystemTest, InitWritesASampleThatABareStartRuns) {
  const std::string dir = "/tmp/" + unique_name("eco-init");
  ASSERT_EQ(
      sh("mkdir -p " + dir + " && cp " + app_path("server.js") + " " + dir + "/app.js").exit_code,
      0);
  ASSERT_EQ(sh("cd " + dir + " && " + pmctl_sh("init")).exit_code, 0);
  const Result again = sh("cd " + dir + " && " + pmctl_sh("init"));
  EXPECT_NE(again.exit_code, 0);
  const Result start = sh("cd " + dir + " && " + pmctl_sh("start --env production"));
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_TRUE(eventually([] { return status_of("app") == "online"; }));
  EXPECT_EQ(app("app")["pm2_env"]["env"]["NODE_ENV"], "production");
  EXPECT_EQ(app("app")["pm2_env"]["pm_cwd"], dir);
  sh("rm -rf " + dir);
}

TEST_F(EcosystemTest, ABadAppAnywhereInTheFileStartsNothing) {
  const Result r = pmctl({"start", eco("bad_third_app.json")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, ::testing::HasSubstr("bad_third_app.json")) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("eco-bad")) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("max_restarts")) << r.err;
  expect_nothing_registered();
}

TEST_F(EcosystemTest, EveryKindOfBrokenFileGivesOneErrorLineAndStartsNothing) {
  run_ok({"start", app_path("server.js"), "--name", "bystander", "--", "--port", "0"});
  const auto before = app("bystander")["pid"];
  for (const std::string file :
       {"duplicate.json", "syntax.json", "syntax.yml", "throws.config.js", "loops.config.js",
        "missing_script.json", "bad_instances.json", "no-such-file.json"}) {
    SCOPED_TRACE(file);
    const Result r = pmctl({"start", eco(file)});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_THAT(r.err, ::testing::HasSubstr(file)) << r.err;
    EXPECT_LT(r.elapsed, std::chrono::seconds(15));
    EXPECT_EQ(jlist().size(), 1u);
  }
  EXPECT_EQ(app("bystander")["pid"], before);
  const std::string big = "/tmp/" + unique_name("big") + ".json";
  sh("head -c 10485760 /dev/zero | tr '\\0' ' ' > " + big);
  const Result r = pmctl({"start", big});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, ::testing::HasSubstr("MiB")) << r.err;
  sh("rm -f " + big);
  EXPECT_EQ(jlist().size(), 1u);
}

/// Whether `pid` is a live process (a zombie is not).
bool alive(const std::string& pid) {
  const std::string stat = read_file("/proc/" + pid + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && stat.compare(close + 2, 1, "Z") != 0;
}

// What a .config.js file starts while pmctl reads it dies with the evaluation, even a child
// started detached in a session of its own and a double-forked one: node runs in a scope unit
// of its own, which pmctl stops afterwards, and systemd collects.
TEST_F(EcosystemTest, AJavaScriptFileLeavesNoProcessBehindNotEvenDetachedOnes) {
  char tmpl[] = "/tmp/pmctl-escape-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl, name = unique_name("eco-escape");
  const std::string file = dir + "/escape.config.js";
  std::ofstream(file) << "const cp = require('child_process'), fs = require('fs');\n"
                         "fs.writeFileSync('"
                      << dir
                      << "/node.pid', String(process.pid));\n"
                         "fs.writeFileSync('"
                      << dir
                      << "/cgroup', fs.readFileSync('/proc/self/cgroup'));\n"
                         "cp.spawn('setsid', ['sh', '-c', 'echo $$ > "
                      << dir
                      << "/setsid.pid; exec sleep 300'],"
                         " { detached: true, stdio: 'ignore' }).unref();\n"
                         "cp.execSync(\"sh -c '(sleep 300 & echo $! > "
                      << dir
                      << "/forked.pid) &'\", { stdio: 'ignore' });\n"
                         "const end = Date.now() + 5000;\n"
                         "while (!(fs.existsSync('"
                      << dir << "/setsid.pid') && fs.existsSync('" << dir
                      << "/forked.pid')) && Date.now() < end) {}\n"
                         "module.exports = { apps: [{ name: '"
                      << name << "', script: '" << app_path("server.js") << "' }] };\n";
  run_ok({"start", file});
  EXPECT_EQ(status_of(name), "online");
  const std::string node = read_file(dir + "/node.pid");
  ASSERT_FALSE(node.empty());
  EXPECT_THAT(read_file(dir + "/cgroup"), ::testing::HasSubstr("/pmctl-eval-" + node + ".scope"));
  for (const char* pid_file : {"/setsid.pid", "/forked.pid"}) {
    std::string pid = read_file(dir + pid_file);
    while (!pid.empty() && pid.back() == '\n') pid.pop_back();
    ASSERT_FALSE(pid.empty()) << pid_file;
    EXPECT_FALSE(alive(pid)) << pid_file << ": " << pid << " outlived the evaluation";
    if (alive(pid)) sh("kill -9 " + pid);
  }
  EXPECT_TRUE(eventually(
      [] {
        return sh("systemctl list-units --all --no-legend 'pmctl-eval-*' | wc -l").out == "0\n";
      },
      std::chrono::seconds(2)))
      << sh("systemctl list-units --all --no-legend 'pmctl-eval-*'").out;
  sh("rm -rf " + dir);
}

}  // namespace
}  // namespace pmctl::test
