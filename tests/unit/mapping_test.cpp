#include "core/units/mapping.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <variant>
#include <vector>

#include "core/units/unit_names.hpp"

namespace pmctl::core {

// Readable failure messages for property lists.
void PrintTo(const Property& p, std::ostream* os) {
  *os << p.name << "=";
  const auto list = [os](const std::vector<std::string>& v) {
    *os << "[";
    for (const auto& s : v) *os << "\"" << s << "\" ";
    *os << "]";
  };
  const auto ints = [os](const std::vector<std::int32_t>& v) {
    for (auto i : v) *os << i << " ";
  };
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *os << "\"" << v << "\"";
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          list(v);
        } else if constexpr (std::is_same_v<T, std::vector<ExecCommand>>) {
          for (const auto& c : v) {
            *os << "{" << c.path << " ";
            list(c.argv);
            list(c.flags);
            *os << "}";
          }
        } else if constexpr (std::is_same_v<T, ExitStatusSet>) {
          *os << "(codes ";
          ints(v.codes);
          *os << "signals ";
          ints(v.signals);
          *os << ")";
        } else if constexpr (std::is_same_v<T, std::vector<EnvironmentFile>>) {
          for (const auto& f : v) *os << "{" << f.path << " " << f.ignore_missing << "}";
        } else if constexpr (std::is_same_v<T, ByteArrays>) {
          list(v.items);
        } else if constexpr (std::is_same_v<T, NameList>) {
          *os << (v.allow ? "allow " : "deny ");
          list(v.names);
        } else if constexpr (std::is_same_v<T, std::vector<ListenAddress>>) {
          for (const auto& a : v) *os << "{" << a.type << " " << a.address << "}";
        } else if constexpr (std::is_same_v<T, std::vector<std::uint32_t>>) {
          for (auto u : v) *os << u << " ";
        } else {
          *os << v << " (" << typeid(T).name() << ")";
        }
      },
      p.value);
}

namespace {

using Props = std::vector<Property>;
using Strings = std::vector<std::string>;

/// The properties of `spec` named in `names`, in the spec's order.
Props select(const UnitSpec& spec, const std::set<std::string>& names) {
  Props out;
  for (const auto& p : spec.properties)
    if (names.contains(p.name)) out.push_back(p);
  return out;
}

AppDecl node_app() {
  AppDecl app;
  app.name = "api";
  app.script = "/srv/api/server.js";
  app.interpreter = "/usr/bin/node";
  app.interpreter_args = {"--max-old-space-size=512"};
  app.args = {"--port", "$PORT"};
  app.cwd = "/srv/api";
  app.env = {{"NODE_ENV", "production"}};
  return app;
}

InstanceContext system_ctx() {
  InstanceContext ctx;
  ctx.id = 3;
  ctx.instance = 1;
  ctx.scope = Scope::System;
  ctx.env_file = "/var/lib/pmctl/env/3.env";
  ctx.backoff_state = "/var/lib/pmctl/backoff/3";
  return ctx;
}

TEST(MappingService, MapsADefaultNodeAppToExactlyTheseProperties) {
  const UnitSpec spec = map_service(node_app(), system_ctx());
  EXPECT_EQ(spec.name, service_unit_name("api", 3));
  const Props expected = {
      {"Description", std::string("pmctl app 'api' (id 3)")},
      {"Type", std::string("exec")},
      {"Slice", app_slice_name("api")},
      {"WorkingDirectory", std::string("/srv/api")},
      {"EnvironmentFiles", std::vector<EnvironmentFile>{{"/var/lib/pmctl/env/3.env", false}}},
      {"ExecStartEx",
       std::vector<ExecCommand>{
           {"/usr/bin/systemd-cat",
            {"/usr/bin/systemd-cat", "-t", "api", "--level-prefix=false", "--stderr-priority=err",
             "--", "/usr/bin/node", "--enable-source-maps", "--max-old-space-size=512",
             "/srv/api/server.js", "--port", "$PORT"},
            {"no-env-expand"}}}},
      {"LogRateLimitIntervalUSec", std::uint64_t{1'000'000}},
      {"LogRateLimitBurst", std::uint32_t{10'000'000}},
      {"Restart", std::string("always")},
      {"RestartUSec", std::uint64_t{0}},
      {"StartLimitIntervalUSec", std::uint64_t{16'000'000}},
      {"StartLimitBurst", std::uint32_t{16}},
      {"KillSignal", std::int32_t{2}},
      {"TimeoutStopUSec", std::uint64_t{1'600'000}},
      {"SendSIGKILL", true},
      {"KillMode", std::string("control-group")},
      {"LogExtraFields", ByteArrays{{"PMCTL_APP=api", "PMCTL_ID=3", "PMCTL_NAMESPACE=default"}}},
      {"CPUAccounting", true},
      {"MemoryAccounting", true},
  };
  EXPECT_EQ(spec.properties, expected);
}

TEST(MappingService, NeverPutsTheEnvironmentInAPropertyOtherUsersCanRead) {
  const UnitSpec spec = map_service(node_app(), system_ctx());
  EXPECT_EQ(spec.find("Environment"), nullptr);
  for (const auto& p : spec.properties) {
    const auto* commands = std::get_if<std::vector<ExecCommand>>(&p.value);
    if (commands == nullptr) continue;
    for (const auto& cmd : *commands)
      for (const auto& arg : cmd.argv)
        EXPECT_THAT(arg, ::testing::Not(::testing::HasSubstr("production")));
  }
}

TEST(MappingService, IsPure) {
  const UnitSpec a = map_service(node_app(), system_ctx());
  const UnitSpec b = map_service(node_app(), system_ctx());
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.properties, b.properties);
}

/// The unit runs systemd-cat, which runs exactly `app_argv`.
void expect_app_argv(const AppDecl& app, const Strings& app_argv, const std::string& label) {
  Strings argv = {"/usr/bin/systemd-cat",  "-t", "api", "--level-prefix=false",
                  "--stderr-priority=err", "--"};
  argv.insert(argv.end(), app_argv.begin(), app_argv.end());
  const Props expected = {
      {"ExecStartEx", std::vector<ExecCommand>{{"/usr/bin/systemd-cat", argv, {"no-env-expand"}}}}};
  EXPECT_EQ(select(map_service(app, system_ctx()), {"ExecStartEx"}), expected) << label;
}

struct ArgvCase {
  const char* label;
  std::string interpreter;
  Strings interpreter_args;
  std::string script;
  bool command_string;
  Strings args;
  Strings expected_app_argv;
};

TEST(MappingExec, BuildsTheAppArgvBehindSystemdCat) {
  const std::vector<ArgvCase> cases = {
      {"interpreter with its args, then script and args",
       "/usr/bin/python3",
       {"-u", "-X", "dev"},
       "/srv/w.py",
       false,
       {"a b", "'c'"},
       {"/usr/bin/python3", "-u", "-X", "dev", "/srv/w.py", "a b", "'c'"}},
      {"interpreter without args",
       "/usr/bin/node",
       {},
       "/srv/a.js",
       false,
       {},
       {"/usr/bin/node", "--enable-source-maps", "/srv/a.js"}},
      {"no interpreter: the script is executed",
       "",
       {"ignored"},
       "/usr/local/bin/worker",
       false,
       {"--once", "$HOME"},
       {"/usr/local/bin/worker", "--once", "$HOME"}},
      {"command string: one shell word, args and interpreter ignored",
       "/usr/bin/node",
       {"-x"},
       "echo $HOME && sleep 1",
       true,
       {"ignored"},
       {"/bin/sh", "-c", "echo $HOME && sleep 1"}},
  };
  for (const auto& c : cases) {
    AppDecl app = node_app();
    app.interpreter = c.interpreter;
    app.interpreter_args = c.interpreter_args;
    app.script = c.script;
    app.command_string = c.command_string;
    app.args = c.args;
    expect_app_argv(app, c.expected_app_argv, c.label);
  }
}

struct SourceMapCase {
  const char* label;
  std::string interpreter;
  Strings interpreter_args;
  bool source_maps;
  bool command_string;
  Strings expected_app_argv;
};

// PM2 7's source map support is node's --enable-source-maps, first of the interpreter's args.
TEST(MappingExec, GivesNodeAppsSourceMapsUnlessDisabled) {
  const std::vector<SourceMapCase> cases = {
      {"node, by default",
       "/usr/bin/node",
       {},
       true,
       false,
       {"/usr/bin/node", "--enable-source-maps", "/srv/a.js"}},
      {"before the app's node_args",
       "/opt/node/bin/node",
       {"--inspect"},
       true,
       false,
       {"/opt/node/bin/node", "--enable-source-maps", "--inspect", "/srv/a.js"}},
      {"Debian's nodejs",
       "/usr/bin/nodejs",
       {},
       true,
       false,
       {"/usr/bin/nodejs", "--enable-source-maps", "/srv/a.js"}},
      {"disable_source_map_support",
       "/usr/bin/node",
       {},
       false,
       false,
       {"/usr/bin/node", "/srv/a.js"}},
      {"not twice when node_args have it",
       "/usr/bin/node",
       {"--enable-source-maps"},
       true,
       false,
       {"/usr/bin/node", "--enable-source-maps", "/srv/a.js"}},
      {"another interpreter",
       "/usr/bin/python3",
       {},
       true,
       false,
       {"/usr/bin/python3", "/srv/a.js"}},
      {"bun", "/usr/local/bin/bun", {}, true, false, {"/usr/local/bin/bun", "/srv/a.js"}},
      {"no interpreter", "", {}, true, false, {"/srv/a.js"}},
      {"a command string", "/usr/bin/node", {}, true, true, {"/bin/sh", "-c", "/srv/a.js"}},
  };
  for (const auto& c : cases) {
    AppDecl app = node_app();
    app.interpreter = c.interpreter;
    app.interpreter_args = c.interpreter_args;
    app.source_maps = c.source_maps;
    app.command_string = c.command_string;
    app.script = "/srv/a.js";
    app.args = {};
    expect_app_argv(app, c.expected_app_argv, c.label);
  }
}

TEST(MappingExec, UsesTheContextsSystemdCatAndShell) {
  AppDecl app = node_app();
  app.command_string = true;
  app.script = "run";
  InstanceContext ctx = system_ctx();
  ctx.systemd_cat = "/opt/bin/systemd-cat";
  ctx.shell = "/usr/bin/bash";
  const Props expected = {
      {"ExecStartEx",
       std::vector<ExecCommand>{{"/opt/bin/systemd-cat",
                                 {"/opt/bin/systemd-cat", "-t", "api", "--level-prefix=false",
                                  "--stderr-priority=err", "--", "/usr/bin/bash", "-c", "run"},
                                 {"no-env-expand"}}}}};
  EXPECT_EQ(select(map_service(app, ctx), {"ExecStartEx"}), expected);
}

struct PolicyCase {
  const char* label;
  RestartPolicy policy;
  Props expected;
};

RestartPolicy policy_with(void (*edit)(RestartPolicy&)) {
  RestartPolicy p;
  edit(p);
  return p;
}

TEST(MappingRestartPolicy, MapsPm2SettingsToRestartAndStartLimitProperties) {
  const std::set<std::string> names = {"Restart",
                                       "RestartUSec",
                                       "RestartPreventExitStatus",
                                       "SuccessExitStatus",
                                       "StartLimitIntervalUSec",
                                       "StartLimitBurst",
                                       "TimeoutStopUSec"};
  const std::vector<PolicyCase> cases = {
      {"PM2 defaults",
       {},
       {{"Restart", std::string("always")},
        {"RestartUSec", std::uint64_t{0}},
        {"StartLimitIntervalUSec", std::uint64_t{16'000'000}},
        {"StartLimitBurst", std::uint32_t{16}},
        {"TimeoutStopUSec", std::uint64_t{1'600'000}}}},
      {"no autorestart, restart delay, kill timeout",
       policy_with([](RestartPolicy& p) {
         p.autorestart = false;
         p.restart_delay_ms = 2500;
         p.kill_timeout_ms = 3000;
       }),
       {{"Restart", std::string("no")},
        {"RestartUSec", std::uint64_t{2'500'000}},
        {"StartLimitIntervalUSec", std::uint64_t{16'000'000}},
        {"StartLimitBurst", std::uint32_t{16}},
        {"TimeoutStopUSec", std::uint64_t{3'000'000}}}},
      {"stop exit codes prevent restarts and count as success",
       policy_with([](RestartPolicy& p) {
         p.stop_exit_codes = {12, 42};
       }),
       {{"Restart", std::string("always")},
        {"RestartUSec", std::uint64_t{0}},
        {"RestartPreventExitStatus", ExitStatusSet{{12, 42}, {}}},
        {"SuccessExitStatus", ExitStatusSet{{12, 42}, {}}},
        {"StartLimitIntervalUSec", std::uint64_t{16'000'000}},
        {"StartLimitBurst", std::uint32_t{16}},
        {"TimeoutStopUSec", std::uint64_t{1'600'000}}}},
      {"max_restarts and min_uptime set the start-limit window",
       policy_with([](RestartPolicy& p) {
         p.max_restarts = 3;
         p.min_uptime_ms = 5000;
       }),
       {{"Restart", std::string("always")},
        {"RestartUSec", std::uint64_t{0}},
        {"StartLimitIntervalUSec", std::uint64_t{15'000'000}},
        {"StartLimitBurst", std::uint32_t{3}},
        {"TimeoutStopUSec", std::uint64_t{1'600'000}}}},
      {"max_restarts 0 still allows one start",
       policy_with([](RestartPolicy& p) { p.max_restarts = 0; }),
       {{"Restart", std::string("always")},
        {"RestartUSec", std::uint64_t{0}},
        {"StartLimitIntervalUSec", std::uint64_t{1'000'000}},
        {"StartLimitBurst", std::uint32_t{1}},
        {"TimeoutStopUSec", std::uint64_t{1'600'000}}}},
      {"exp back-off overrides restart_delay, as in PM2",
       policy_with([](RestartPolicy& p) {
         p.exp_backoff_ms = 100;
         p.restart_delay_ms = 2500;
       }),
       {{"Restart", std::string("always")},
        {"RestartUSec", std::uint64_t{0}},
        {"StartLimitIntervalUSec", std::uint64_t{16'000'000}},
        {"StartLimitBurst", std::uint32_t{16}},
        {"TimeoutStopUSec", std::uint64_t{1'600'000}}}},
  };
  for (const auto& c : cases) {
    AppDecl app = node_app();
    app.restart = c.policy;
    EXPECT_EQ(select(map_service(app, system_ctx()), names), c.expected) << c.label;
  }
}

struct AppCase {
  const char* label;
  void (*edit)(AppDecl&);
  Props expected;
};

TEST(MappingProcess, MapsUserGroupTreekillAndMaxMemory) {
  const std::set<std::string> names = {"User", "Group", "KillMode", "MemoryMax", "OOMPolicy"};
  const std::vector<AppCase> cases = {
      {"PM2 defaults: no user, tree kill, no limit",
       [](AppDecl&) {},
       {{"KillMode", std::string("control-group")}}},
      {"uid and gid",
       [](AppDecl& a) {
         a.user = "www-data";
         a.group = "33";
       },
       {{"User", std::string("www-data")},
        {"Group", std::string("33")},
        {"KillMode", std::string("control-group")}}},
      {"gid alone",
       [](AppDecl& a) { a.group = "adm"; },
       {{"Group", std::string("adm")}, {"KillMode", std::string("control-group")}}},
      {"treekill off: only the main process gets the stop signal",
       [](AppDecl& a) { a.treekill = false; },
       {{"KillMode", std::string("mixed")}}},
      {"max_memory_restart: the kernel's cap half as much again above, stop on an OOM kill",
       [](AppDecl& a) { a.max_memory_bytes = 200ull << 20; },
       {{"KillMode", std::string("control-group")},
        {"MemoryMax", std::uint64_t{300ull << 20}},
        {"OOMPolicy", std::string("stop")}}},
  };
  for (const auto& c : cases) {
    AppDecl app = node_app();
    c.edit(app);
    EXPECT_EQ(select(map_service(app, system_ctx()), names), c.expected) << c.label;
  }
}

TEST(MappingProcess, WaitReadyMakesTheUnitWaitForReadyUpToListenTimeout) {
  const std::set<std::string> names = {"Type", "NotifyAccess", "TimeoutStartUSec"};
  const std::vector<AppCase> cases = {
      {"PM2's default: online once executed", [](AppDecl&) {}, {{"Type", std::string("exec")}}},
      {"wait_ready with PM2's 3000 ms listen_timeout",
       [](AppDecl& a) { a.wait_ready = true; },
       {{"Type", std::string("notify")},
        {"NotifyAccess", std::string("all")},
        {"TimeoutStartUSec", std::uint64_t{3'000'000}}}},
      {"wait_ready with listen_timeout 10 s",
       [](AppDecl& a) {
         a.wait_ready = true;
         a.listen_timeout_ms = 10'000;
       },
       {{"Type", std::string("notify")},
        {"NotifyAccess", std::string("all")},
        {"TimeoutStartUSec", std::uint64_t{10'000'000}}}},
  };
  for (const auto& c : cases) {
    AppDecl app = node_app();
    c.edit(app);
    EXPECT_EQ(select(map_service(app, system_ctx()), names), c.expected) << c.label;
  }
}

TEST(MappingProcess, OnlyNodeAppsUsingPm2sIpcGetThePreload) {
  InstanceContext ctx = system_ctx();
  ctx.node_preload = "/usr/share/pmctl/pmctl-preload.cjs";
  AppDecl app = node_app();
  EXPECT_EQ(injected_env(app, ctx).count("NODE_OPTIONS"), 0u);
  app.wait_ready = true;
  EXPECT_EQ(injected_env(app, ctx).at("NODE_OPTIONS"),
            "--require /usr/share/pmctl/pmctl-preload.cjs");
  EXPECT_EQ(injected_env(app, ctx).count("PMCTL_SHUTDOWN_WITH_MESSAGE"), 0u);
  app.env["NODE_OPTIONS"] = "--max-http-header-size=16384";
  app.shutdown_with_message = true;
  const auto env = injected_env(app, ctx);
  EXPECT_EQ(env.at("NODE_OPTIONS"),
            "--require /usr/share/pmctl/pmctl-preload.cjs --max-http-header-size=16384");
  EXPECT_EQ(env.at("PMCTL_SHUTDOWN_WITH_MESSAGE"), "1");
  app.interpreter = "/usr/bin/python3";
  EXPECT_EQ(injected_env(app, ctx).count("NODE_OPTIONS"), 0u);
}

TEST(MappingProcess, ClusterNodeInstancesGetThePreloadAndThePublicPortUnlessNoShim) {
  InstanceContext ctx = system_ctx();
  ctx.node_preload = "/usr/share/pmctl/pmctl-preload.cjs";
  ctx.endpoint = "tcp:127.0.0.1:20001";
  AppDecl app = node_app();
  app.cluster.enabled = true;
  app.cluster.instances = 2;
  app.cluster.public_port = 3000;
  auto env = injected_env(app, ctx);
  EXPECT_EQ(env.at("NODE_OPTIONS"), "--require /usr/share/pmctl/pmctl-preload.cjs");
  EXPECT_EQ(env.at("PMCTL_PUBLIC_PORT"), "3000");
  EXPECT_EQ(env.at("PORT"), "20001");

  app.node_shim = false;  // --no-shim
  env = injected_env(app, ctx);
  EXPECT_EQ(env.count("NODE_OPTIONS"), 0u);
  EXPECT_EQ(env.count("PMCTL_PUBLIC_PORT"), 0u);
  EXPECT_EQ(env.at("PORT"), "20001");

  app.node_shim = true;
  app.interpreter = "/usr/bin/python3";  // the preload is for node only
  EXPECT_EQ(injected_env(app, ctx).count("PMCTL_PUBLIC_PORT"), 0u);
  app.interpreter = "/usr/bin/node";
  app.wait_ready = true;
  app.node_shim = false;  // no shim: no process.send either
  EXPECT_EQ(injected_env(app, ctx).count("NODE_OPTIONS"), 0u);
}

TEST(MappingProcess, SetsUserBeforeTheCommandsAndTheLimitAfterAccounting) {
  AppDecl app = node_app();
  app.user = "www-data";
  app.max_memory_bytes = 1024;
  const auto& props = map_service(app, system_ctx()).properties;
  std::vector<std::string> order;
  for (const auto& p : props) order.push_back(p.name);
  const auto at = [&](const char* name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  EXPECT_LT(at("User"), at("ExecStartEx"));
  EXPECT_EQ(at("MemoryMax"), at("MemoryAccounting") + 1);
}

TEST(MappingBackoff, KeepsRootsRightsForTheStateFileUnderAnotherUser) {
  AppDecl app = node_app();
  app.restart.exp_backoff_ms = 100;
  app.user = "www-data";
  const UnitSpec spec = map_service(app, system_ctx());
  const auto& cmd = std::get<std::vector<ExecCommand>>(*spec.find("ExecStartPreEx")).at(0);
  EXPECT_EQ(cmd.flags, (Strings{"ignore-failure", "no-env-expand", "privileged"}));
}

TEST(MappingBackoff, AddsNoStartPreCommandWithoutExpBackoff) {
  const UnitSpec spec = map_service(node_app(), system_ctx());
  EXPECT_EQ(spec.find("ExecStartPreEx"), nullptr);
  EXPECT_EQ(spec.find("TimeoutStartUSec"), nullptr);
}

ExecCommand backoff_command(std::uint64_t initial_ms, const std::string& state_file) {
  AppDecl app = node_app();
  app.restart.exp_backoff_ms = initial_ms;
  InstanceContext ctx = system_ctx();
  ctx.backoff_state = state_file;
  const UnitSpec spec = map_service(app, ctx);
  const auto* value = spec.find("ExecStartPreEx");
  if (value == nullptr) throw std::runtime_error("no ExecStartPreEx");
  return std::get<std::vector<ExecCommand>>(*value).at(0);
}

TEST(MappingBackoff, RunsTheScriptUnderTheShellWithoutAStartTimeout) {
  const ExecCommand cmd = backoff_command(100, "/var/lib/pmctl/backoff/3");
  EXPECT_EQ(cmd.path, "/bin/sh");
  ASSERT_EQ(cmd.argv.size(), 6u);
  EXPECT_EQ(cmd.argv[0], "/bin/sh");
  EXPECT_EQ(cmd.argv[1], "-c");
  EXPECT_EQ(cmd.argv[3], "pmctl-backoff");
  EXPECT_EQ(cmd.argv[4], "/var/lib/pmctl/backoff/3");
  EXPECT_EQ(cmd.argv[5], "100");
  // ignore-failure: a broken state file must never keep the app from starting.
  EXPECT_EQ(cmd.flags, (Strings{"ignore-failure", "no-env-expand"}));
  const UnitSpec spec = [] {
    AppDecl app = node_app();
    app.restart.exp_backoff_ms = 100;
    return map_service(app, system_ctx());
  }();
  const auto* timeout = spec.find("TimeoutStartUSec");
  ASSERT_NE(timeout, nullptr);
  EXPECT_EQ(*timeout, PropertyValue{std::numeric_limits<std::uint64_t>::max()});
}

std::uint64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// Runs the back-off command the way systemd would exec it, in a scratch directory. With
/// `fake_sleep`, a `sleep` earlier in PATH records its argument instead of sleeping.
class MappingBackoffScript : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pmctl-backoff-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directory(dir_ / "bin");
    const auto fake = dir_ / "bin" / "sleep";
    std::ofstream(fake) << "#!/bin/sh\necho \"$1\" > '" << (dir_ / "slept").string() << "'\n";
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string state_path() const { return (dir_ / "state").string(); }
  void write_state(const std::string& content) const { std::ofstream(state_path()) << content; }
  std::string read(const std::filesystem::path& p) const {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// The delay the script chose and the start time it recorded.
  std::pair<long long, long long> state() const {
    long long delay = -2, start = -2;
    std::istringstream(read(state_path())) >> delay >> start;
    return {delay, start};
  }
  std::string slept() const { return read(dir_ / "slept"); }

  /// Exit status of the script, run with `initial_ms`.
  int run(std::uint64_t initial_ms, bool fake_sleep = true) const {
    const ExecCommand cmd = backoff_command(initial_ms, state_path());
    const std::string path = (dir_ / "bin").string() + ":" + std::getenv("PATH");
    const pid_t pid = fork();
    if (pid == 0) {
      if (fake_sleep) setenv("PATH", path.c_str(), 1);
      std::vector<char*> argv;
      for (const auto& a : cmd.argv) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(cmd.path.c_str(), argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::filesystem::path dir_;
};

TEST_F(MappingBackoffScript, DoesNotDelayAFreshStartAndRecordsIt) {
  write_state(kBackoffFresh);
  const auto before = now_ms();
  ASSERT_EQ(run(100), 0);
  const auto [delay, start] = state();
  EXPECT_EQ(delay, 0);
  EXPECT_GE(start, static_cast<long long>(before));
  EXPECT_LE(start, static_cast<long long>(now_ms()));
  EXPECT_EQ(slept(), "0.000\n");
}

TEST_F(MappingBackoffScript, TreatsAMissingOrGarbledStateFileAsFresh) {
  ASSERT_EQ(run(100), 0);
  EXPECT_EQ(state().first, 0);
  for (const char* garbage : {"", "abc def\n", "100\n", "1e3 5\n", "100 -5\n"}) {
    write_state(garbage);
    ASSERT_EQ(run(100), 0);
    EXPECT_EQ(state().first, 0) << "state '" << garbage << "'";
  }
}

TEST_F(MappingBackoffScript, WaitsTheInitialDelayAfterTheFirstCrash) {
  write_state("0 " + std::to_string(now_ms()) + "\n");
  ASSERT_EQ(run(100), 0);
  EXPECT_EQ(state().first, 100);
  EXPECT_EQ(slept(), "0.100\n");
}

TEST_F(MappingBackoffScript, GrowsByHalfWithIntegerArithmeticLikePm2) {
  write_state("823 " + std::to_string(now_ms()) + "\n");
  ASSERT_EQ(run(100), 0);
  EXPECT_EQ(state().first, 1234);
  EXPECT_EQ(slept(), "1.234\n");
}

TEST_F(MappingBackoffScript, CapsTheDelayAtFifteenSeconds) {
  write_state("14000 " + std::to_string(now_ms()) + "\n");
  ASSERT_EQ(run(100), 0);
  EXPECT_EQ(state().first, 15000);
  EXPECT_EQ(slept(), "15.000\n");
  ASSERT_EQ(run(100), 0);
  EXPECT_EQ(state().first, 15000);
}

TEST_F(MappingBackoffScript, StartsOverAtTheInitialDelayAfterARunOfOverThirtySeconds) {
  write_state("8614 " + std::to_string(now_ms() - 31'000) + "\n");
  ASSERT_EQ(run(100), 0);
  EXPECT_EQ(state().first, 100);
}

TEST_F(MappingBackoffScript, RecordsTheStartAsNowPlusTheDelay) {
  write_state("0 " + std::to_string(now_ms()) + "\n");
  const auto before = now_ms();
  ASSERT_EQ(run(5000), 0);
  const auto [delay, start] = state();
  EXPECT_EQ(delay, 5000);
  EXPECT_GE(start, static_cast<long long>(before + 5000));
  EXPECT_LE(start, static_cast<long long>(now_ms() + 5000));
}

TEST_F(MappingBackoffScript, ReproducesPm2sObservedSequence) {
  const std::vector<long long> pm2 = {100,  150,  225,  337,  505,   757,   1135, 1702,
                                      2553, 3829, 5743, 8614, 12921, 15000, 15000};
  write_state(kBackoffFresh);
  ASSERT_EQ(run(100), 0);  // the manual start
  std::vector<long long> seen;
  for (std::size_t i = 0; i < pm2.size(); ++i) {
    ASSERT_EQ(run(100), 0);
    seen.push_back(state().first);
  }
  EXPECT_EQ(seen, pm2);
}

TEST_F(MappingBackoffScript, ReallySleepsWithTheSystemSleep) {
  write_state("0 " + std::to_string(now_ms()) + "\n");
  const auto before = now_ms();
  ASSERT_EQ(run(20, /*fake_sleep=*/false), 0);
  EXPECT_EQ(state().first, 20);
  EXPECT_GE(now_ms() - before, 20u);
}

TEST(MappingLogging, TagsJournalEntriesOnlyInTheSystemManager) {
  InstanceContext ctx = system_ctx();
  AppDecl app = node_app();
  app.ns = "prod";
  EXPECT_EQ(select(map_service(app, ctx), {"LogExtraFields"}),
            (Props{{"LogExtraFields",
                    ByteArrays{{"PMCTL_APP=api", "PMCTL_ID=3", "PMCTL_NAMESPACE=prod"}}}}));
  ctx.scope = Scope::User;
  EXPECT_EQ(map_service(app, ctx).find("LogExtraFields"), nullptr);
}

struct InjectedCase {
  const char* label;
  std::string interpreter;
  bool python_unbuffered;
};

TEST(MappingInjectedEnv, InjectsPm2VariablesAndUnbuffersPython) {
  const std::vector<InjectedCase> cases = {
      {"node", "/usr/bin/node", false},
      {"no interpreter", "", false},
      {"python3", "/usr/bin/python3", true},
      {"python3.11 in a venv", "/srv/venv/bin/python3.11", true},
      {"bare python", "python", true},
      {"python only in a directory name", "/opt/python/bin/ruby", false},
  };
  for (const auto& c : cases) {
    AppDecl app = node_app();
    app.ns = "prod";
    app.interpreter = c.interpreter;
    InstanceContext ctx = system_ctx();
    std::map<std::string, std::string> expected = {
        {"pm_id", "3"}, {"name", "api"}, {"namespace", "prod"}, {"NODE_APP_INSTANCE", "1"}};
    if (c.python_unbuffered) expected["PYTHONUNBUFFERED"] = "1";
    EXPECT_EQ(injected_env(app, ctx), expected) << c.label;
  }
}

TEST(MappingInjectedEnv, PutsTheInstanceNumberInTheAppsInstanceVar) {
  AppDecl app = node_app();
  app.instance_var = "INSTANCE_ID";
  const auto env = injected_env(app, system_ctx());
  EXPECT_EQ(env.at("INSTANCE_ID"), "1");
  EXPECT_FALSE(env.contains("NODE_APP_INSTANCE"));
  app.instance_var.clear();  // a registry entry from before instance_var existed
  EXPECT_EQ(injected_env(app, system_ctx()).at("NODE_APP_INSTANCE"), "1");
}

}  // namespace
}  // namespace pmctl::core
