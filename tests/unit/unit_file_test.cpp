#include "core/units/unit_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "core/types/error.hpp"
#include "core/units/balancer_units.hpp"
#include "core/units/mapping.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

using Strings = std::vector<std::string>;
constexpr std::uint64_t kInfinity = std::numeric_limits<std::uint64_t>::max();

/// The lines a single property renders to in a service (or `unit`), sections stripped.
std::string lines_of(const Property& p, const std::string& unit = "app.service") {
  const std::string text = render_unit_file({unit, {p}, {}}, "");
  const auto body = text.find("]\n");
  return text.substr(body + 2);
}

struct Case {
  Property property;
  std::string lines;
};

class UnitFileValue : public testing::TestWithParam<Case> {};

TEST_P(UnitFileValue, RendersAsTheDirectiveSystemd252Parses) {
  EXPECT_EQ(lines_of(GetParam().property), GetParam().lines);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, UnitFileValue,
    testing::Values(
        Case{{"PrivateTmp", true}, "PrivateTmp=yes\n"},
        Case{{"SendSIGKILL", false}, "SendSIGKILL=no\n"},
        Case{{"StartLimitBurst", std::uint32_t{16}}, "StartLimitBurst=16\n"},
        Case{{"TasksMax", std::uint64_t{512}}, "TasksMax=512\n"},
        // Times: the directive without the U, microseconds, UINT64_MAX is infinity.
        Case{{"RestartUSec", std::uint64_t{100'000}}, "RestartSec=100000us\n"},
        Case{{"TimeoutStartUSec", kInfinity}, "TimeoutStartSec=infinity\n"},
        Case{{"TimeoutStopUSec", std::uint64_t{1'600'000}}, "TimeoutStopSec=1600000us\n"},
        Case{{"StartLimitIntervalUSec", std::uint64_t{0}}, "StartLimitIntervalSec=0us\n"},
        Case{{"LogRateLimitIntervalUSec", std::uint64_t{1'000'000}},
             "LogRateLimitIntervalSec=1000000us\n"},
        Case{{"LogRateLimitBurst", std::uint32_t{10'000'000}}, "LogRateLimitBurst=10000000\n"},

        Case{{"MemoryMax", std::uint64_t{268435456}}, "MemoryMax=268435456\n"},
        Case{{"MemoryMax", kInfinity}, "MemoryMax=infinity\n"},
        Case{{"Type", std::string("notify")}, "Type=notify\n"},
        Case{{"Description", std::string("100% 'ok' \"x\" \\ é")},
             "Description=100%% 'ok' \"x\" \\ é\n"},
        Case{{"WorkingDirectory", std::string("/srv/my app/%i")},
             "WorkingDirectory=/srv/my app/%%i\n"},
        Case{{"After", Strings{"network.target", "pmctl-a\\x2db.slice"}},
             "After=network.target pmctl-a\\x2db.slice\n"},
        // Sockets= unescapes a backslash, After= keeps it (both checked with systemd-analyze).
        Case{{"Sockets", Strings{"pmctl-web\\x2dapi-1.socket"}},
             "Sockets=pmctl-web\\\\x2dapi-1.socket\n"},
        Case{{"SystemCallArchitectures", Strings{"native"}}, "SystemCallArchitectures=native\n"},
        Case{{"UMask", std::uint32_t{077}}, "UMask=0077\n"},
        Case{{"UMask", std::uint32_t{0022}}, "UMask=0022\n"},
        Case{{"KillSignal", std::int32_t{2}}, "KillSignal=SIGINT\n"},
        Case{{"KillSignal", std::int32_t{15}}, "KillSignal=SIGTERM\n"},
        Case{{"SystemCallErrorNumber", std::int32_t{1}}, "SystemCallErrorNumber=EPERM\n"},
        Case{{"SuccessExitStatus", ExitStatusSet{{1, 130}, {2, 15}}},
             "SuccessExitStatus=1 130 SIGINT SIGTERM\n"},
        Case{{"RestartPreventExitStatus", ExitStatusSet{{0}, {}}}, "RestartPreventExitStatus=0\n"},
        Case{{"EnvironmentFiles", std::vector<EnvironmentFile>{{"/var/lib/pmctl/env/3.env", false},
                                                               {"/etc/default/100%", true}}},
             "EnvironmentFile=/var/lib/pmctl/env/3.env\nEnvironmentFile=-/etc/default/100%%\n"},
        Case{{"LogExtraFields", ByteArrays{{"PMCTL_APP=my app", "PMCTL_NOTE=50% \"q\" \\"}}},
             "LogExtraFields=\"PMCTL_APP=my app\"\n"
             "LogExtraFields=\"PMCTL_NOTE=50%% \\\"q\\\" \\\\\"\n"},
        Case{{"RestrictAddressFamilies", NameList{true, {"AF_UNIX", "AF_INET"}}},
             "RestrictAddressFamilies=AF_UNIX AF_INET\n"},
        Case{{"SystemCallFilter", NameList{false, {"@mount", "@reboot"}}},
             "SystemCallFilter=~@mount @reboot\n"},
        // The empty assignment is the empty set (systemd.exec(5)); "~" alone would be all.
        Case{{"CapabilityBoundingSet", std::uint64_t{0}}, "CapabilityBoundingSet=\n"},
        Case{{"CapabilityBoundingSet", std::uint64_t{0x21}},
             "CapabilityBoundingSet=CAP_CHOWN CAP_KILL\n"},
        Case{{"AmbientCapabilities", std::uint64_t{0}}, "AmbientCapabilities=\n"},
        // D-Bus carries the namespace types allowed.
        Case{{"RestrictNamespaces", std::uint64_t{0}}, "RestrictNamespaces=yes\n"},
        Case{{"RestrictNamespaces", std::uint64_t{0x7e020000}}, "RestrictNamespaces=no\n"},
        Case{{"RestrictNamespaces", std::uint64_t{0x40000000 | 0x00020000}},
             "RestrictNamespaces=net mnt\n"},
        Case{{"StandardOutput", std::string("null")}, "StandardOutput=null\n"},
        Case{{"StandardError", std::string("journal")}, "StandardError=journal\n"},
        Case{{"StandardOutput", std::string("append:/var/log/app 100%.log")},
             "StandardOutput=append:/var/log/app 100%%.log\n"}));

TEST(UnitFile, PutsSettingsInTheirSectionsInTheOrderGiven) {
  const UnitSpec spec{"web.service",
                      {{"Type", std::string("exec")},
                       {"Description", std::string("web")},
                       {"WantedBy", Strings{"multi-user.target"}},
                       {"Restart", std::string("always")},
                       {"StartLimitBurst", std::uint32_t{3}},
                       {"Wants", Strings{"network-online.target"}}},
                      {}};
  EXPECT_EQ(render_unit_file(spec, "Generated by pmctl; will be overwritten\n\nsecond line"),
            "# Generated by pmctl; will be overwritten\n"
            "#\n"
            "# second line\n"
            "\n"
            "[Unit]\n"
            "Description=web\n"
            "StartLimitBurst=3\n"
            "Wants=network-online.target\n"
            "\n"
            "[Service]\n"
            "Type=exec\n"
            "Restart=always\n"
            "\n"
            "[Install]\n"
            "WantedBy=multi-user.target\n");
}

TEST(UnitFile, UsesTheSectionOfTheUnitsType) {
  EXPECT_EQ(render_unit_file({"web.socket", {{"Service", std::string("web-1.service")}}, {}}, ""),
            "[Socket]\nService=web-1.service\n");
  EXPECT_EQ(render_unit_file({"web.slice", {{"MemoryMax", std::uint64_t{1024}}}, {}}, ""),
            "[Slice]\nMemoryMax=1024\n");
  EXPECT_EQ(
      render_unit_file({"web.target", {{"Wants", Strings{"a.service", "b.service"}}}, {}}, ""),
      "[Unit]\nWants=a.service b.service\n");
}

TEST(UnitFile, DoesNotRenderAuxUnits) {
  const UnitSpec service{"web.service", {{"Type", std::string("exec")}}, {}};
  const UnitSpec socket{"web.socket", {{"ReusePort", true}}, {service}};
  EXPECT_EQ(render_unit_file(socket, ""), "[Socket]\nReusePort=yes\n");
}

struct ExecCase {
  ExecCommand command;
  std::string line;
};

class UnitFileExec : public testing::TestWithParam<ExecCase> {};

TEST_P(UnitFileExec, QuotesEveryWordAndPrefixesTheFlags) {
  EXPECT_EQ(lines_of({"ExecStartEx", std::vector<ExecCommand>{GetParam().command}}),
            "ExecStart=" + GetParam().line + "\n");
}

// `$` is written as it is: a unit file's command line is expanded at exec time exactly as an
// ExecStartEx argv sent over D-Bus is, so "$PORT" means the variable in both without ":", and
// the literal text in both with it.
INSTANTIATE_TEST_SUITE_P(
    Quoting, UnitFileExec,
    testing::Values(
        ExecCase{{"/bin/echo", {"/bin/echo", "a b"}, {}}, R"("/bin/echo" "a b")"},
        ExecCase{{"/bin/echo", {"/bin/echo", "say \"hi\"", "C:\\dir"}, {}},
                 R"("/bin/echo" "say \"hi\"" "C:\\dir")"},
        ExecCase{{"/bin/echo", {"/bin/echo", "100%", "%i"}, {}}, R"("/bin/echo" "100%%" "%%i")"},
        ExecCase{{"/bin/echo", {"/bin/echo", "$PORT", "${A}", "$$"}, {}},
                 R"("/bin/echo" "$PORT" "${A}" "$$")"},
        ExecCase{{"/bin/echo", {"/bin/echo", "$PORT", "$$"}, {"no-env-expand"}},
                 R"(":/bin/echo" "$PORT" "$$")"},
        ExecCase{{"/bin/echo", {"/bin/echo", "line1\nline2\ttab\x01"}, {}},
                 R"("/bin/echo" "line1\nline2\ttab\x01")"},
        ExecCase{{"/bin/echo", {"/bin/echo", "héllo ☃", "it's"}, {}},
                 R"("/bin/echo" "héllo ☃" "it's")"},
        ExecCase{{"/bin/echo", {"/bin/echo", ";", "a;b"}, {}}, R"("/bin/echo" \; "a;b")"},
        ExecCase{{"/bin/sh", {"sh", "-c", "true"}, {}}, R"("@/bin/sh" "sh" "-c" "true")"},
        ExecCase{{"/bin/sh", {"/bin/sh"}, {"ignore-failure", "no-env-expand", "privileged"}},
                 R"("-:+/bin/sh")"},
        ExecCase{{"/bin/sh", {"/bin/sh"}, {"no-setuid"}}, R"("!/bin/sh")"},
        ExecCase{{"/bin/sh", {"/bin/sh"}, {"ambient"}}, R"("!!/bin/sh")"},
        ExecCase{{"/opt/my app/run", {"run"}, {"ignore-failure"}},
                 R"("-@/opt/my app/run" "run")"}));

TEST(UnitFile, WritesOneLinePerCommandAndDropsTheExSuffix) {
  const std::vector<ExecCommand> cmds = {{"/bin/a", {"/bin/a"}, {}}, {"/bin/b", {"/bin/b"}, {}}};
  EXPECT_EQ(lines_of({"ExecStartPreEx", cmds}),
            "ExecStartPre=\"/bin/a\"\nExecStartPre=\"/bin/b\"\n");
  EXPECT_EQ(lines_of({"ExecStopPostEx", cmds}),
            "ExecStopPost=\"/bin/a\"\nExecStopPost=\"/bin/b\"\n");
}

TEST(UnitFile, WritesOneListenLinePerAddress) {
  const UnitSpec socket{"web.socket",
                        {{"Listen", std::vector<ListenAddress>{{"Stream", "0.0.0.0:3000"},
                                                               {"Datagram", "/run/web.sock"},
                                                               {"SequentialPacket", "/run/s"},
                                                               {"FIFO", "/run/fifo"}}}},
                        {}};
  EXPECT_EQ(render_unit_file(socket, ""),
            "[Socket]\nListenStream=0.0.0.0:3000\nListenDatagram=/run/web.sock\n"
            "ListenSequentialPacket=/run/s\nListenFIFO=/run/fifo\n");
}

struct BadCase {
  std::string unit;
  Property property;
};

class UnitFileRefuses : public testing::TestWithParam<BadCase> {};

TEST_P(UnitFileRefuses, ASettingItCannotWriteFaithfully) {
  EXPECT_THROW(render_unit_file({GetParam().unit, {GetParam().property}, {}}, ""), Error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, UnitFileRefuses,
    testing::Values(
        BadCase{"a.service", {"NoSuchProperty", true}},
        BadCase{"a.service", {"Environment", Strings{"A=1"}}},
        BadCase{"a.service", {"Description", std::string("two\nlines")}},
        BadCase{"a.service", {"Description", std::string(" padded")}},
        BadCase{"a.service", {"Description", std::string("ends in \\")}},
        BadCase{"a.service", {"WorkingDirectory", std::string("/srv/a\r")}},
        BadCase{"a.service", {"Type", std::string("exec notify")}},
        BadCase{"a.service", {"Type", std::string("%i")}},
        BadCase{"a.service", {"After", Strings{"a b.service"}}},
        BadCase{"a.service", {"After", Strings{}}},
        BadCase{"a.service", {"WantedBy", Strings{"a\\x2db.target"}}},
        BadCase{"a.service", {"Type", true}},  // wrong D-Bus type
        BadCase{"a.service", {"CapabilityBoundingSet", std::uint64_t{1} << 21}},  // unnamed
        BadCase{"a.service", {"RestrictNamespaces", std::uint64_t{1}}},
        BadCase{"a.service", {"KillSignal", std::int32_t{0}}},
        BadCase{"a.service", {"UMask", std::uint32_t{010000}}},
        BadCase{"a.service", {"SuccessExitStatus", ExitStatusSet{{256}, {}}}},
        BadCase{"a.service", {"EnvironmentFiles", std::vector<EnvironmentFile>{{"rel", false}}}},
        BadCase{"a.service", {"LogExtraFields", ByteArrays{{std::string("A=\0", 3)}}}},
        BadCase{"a.service",
                {"ExecStartEx", std::vector<ExecCommand>{{"/bin/a", {"/bin/a"}, {"bogus"}}}}},
        BadCase{"a.service", {"ExecStartEx", std::vector<ExecCommand>{{"/bin/a", {}, {}}}}},
        BadCase{"a.service",
                {"ExecStartEx",
                 std::vector<ExecCommand>{{"/bin/a", {"/bin/a"}, {"privileged", "no-setuid"}}}}},
        BadCase{"a.socket", {"Type", std::string("exec")}},  // a service setting
        BadCase{"a.slice", {"ExecStartPreEx", std::vector<ExecCommand>{}}},
        BadCase{"a.target", {"CPUAccounting", true}},
        BadCase{"a.path", {"Description", std::string("x")}},
        BadCase{"noType", {"Description", std::string("x")}}));

TEST(UnitFile, NamesTheUnitAndThePropertyItRefuses) {
  try {
    render_unit_file({"a.service", {{"Description", std::string("a\nb")}}, {}}, "");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("'Description' of 'a.service'"))
        << e.what();
  }
}

AppDecl node_app() {
  AppDecl app;
  app.name = "api";
  app.script = "/srv/api/server.js";
  app.interpreter = "/usr/bin/node";
  app.interpreter_args = {"--max-old-space-size=512"};
  app.args = {"--port", "$PORT"};
  app.cwd = "/srv/api";
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

constexpr const char* kHeader = "Generated by pmctl for app 'api'; will be overwritten";

const char* const kForkApp = R"x(# Generated by pmctl for app 'api'; will be overwritten

[Unit]
Description=pmctl app 'api' (id 3)
StartLimitIntervalSec=16000000us
StartLimitBurst=16

[Service]
Type=exec
Slice=pmctl-api.slice
WorkingDirectory=/srv/api
EnvironmentFile=/var/lib/pmctl/env/3.env
ExecStart=":/usr/bin/systemd-cat" "-t" "api" "--level-prefix=false" "--stderr-priority=err" "--" "/usr/bin/node" "--enable-source-maps" "--max-old-space-size=512" "/srv/api/server.js" "--port" "$PORT"
LogRateLimitIntervalSec=1000000us
LogRateLimitBurst=10000000
Restart=always
RestartSec=0us
KillSignal=SIGINT
TimeoutStopSec=1600000us
SendSIGKILL=yes
KillMode=control-group
LogExtraFields="PMCTL_APP=api"
LogExtraFields="PMCTL_ID=3"
LogExtraFields="PMCTL_NAMESPACE=default"
CPUAccounting=yes
MemoryAccounting=yes
)x";

TEST(UnitFileEndToEnd, RendersATypicalForkApp) {
  EXPECT_EQ(render_unit_file(map_service(node_app(), system_ctx()), kHeader), kForkApp);
}

// A cluster instance on a unix socket, with back-off, a user, a memory limit and stop exit
// codes: the back-off script is full of quotes, `$` and `%`.
const char* const kClusterInstance = R"x(# Generated by pmctl for app 'api'; will be overwritten

[Unit]
Description=pmctl app 'api' (id 3, cluster instance 1)
StartLimitIntervalSec=16000000us
StartLimitBurst=16

[Service]
Type=exec
Slice=pmctl-api.slice
WorkingDirectory=/srv/api
EnvironmentFile=/var/lib/pmctl/env/3.env
User=www-data
ExecStart=":/usr/bin/systemd-cat" "-t" "api" "--level-prefix=false" "--stderr-priority=err" "--" "/usr/bin/node" "--enable-source-maps" "--max-old-space-size=512" "/srv/api/server.js" "--port" "$PORT"
LogRateLimitIntervalSec=1000000us
LogRateLimitBurst=10000000
ExecStartPre=":/bin/sh" "-c" "exec rm -f -- \"$1\"" "pmctl-unlink" "/run/pmctl/apps/api/3.sock"
ExecStartPre="-:+/bin/sh" "-c" "PATH=\"$PATH:/usr/bin:/bin\"; f=$1; initial=$2; now=$(date +%%s%%3N); prev=-1; last=0; { read -r prev last < \"$f\"; } 2>/dev/null; case $prev in ''|*[!0-9]*) prev=-1;; esac; case $last in ''|*[!0-9]*) prev=-1;; esac; if [ $prev -lt 0 ]; then delay=0; elif [ $((now - last)) -gt 30000 ] || [ $prev -eq 0 ]; then delay=$initial; else delay=$((prev * 3 / 2)); [ $delay -le 15000 ] || delay=15000; fi; echo \"$delay $((now + delay))\" > \"$f\"; exec sleep $((delay / 1000)).$(printf %%03d $((delay %% 1000)))" "pmctl-backoff" "/var/lib/pmctl/backoff/3" "100"
TimeoutStartSec=infinity
Restart=always
RestartSec=0us
RestartPreventExitStatus=0 3
SuccessExitStatus=0 3
KillSignal=SIGINT
TimeoutStopSec=1600000us
SendSIGKILL=yes
KillMode=control-group
LogExtraFields="PMCTL_APP=api"
LogExtraFields="PMCTL_ID=3"
LogExtraFields="PMCTL_NAMESPACE=default"
CPUAccounting=yes
MemoryAccounting=yes
MemoryMax=402653184
OOMPolicy=stop
)x";

TEST(UnitFileEndToEnd, RendersAClusterInstance) {
  AppDecl app = node_app();
  app.cluster.enabled = true;
  app.cluster.instances = 2;
  app.cluster.public_port = 3000;
  app.user = "www-data";
  app.restart.exp_backoff_ms = 100;
  app.restart.stop_exit_codes = {0, 3};
  app.max_memory_bytes = 256 * 1024 * 1024;
  InstanceContext ctx = system_ctx();
  ctx.slot = Slot::B;
  ctx.endpoint = "unix:/run/pmctl/apps/api/3.sock";
  const UnitSpec spec = map_service(app, ctx);
  ASSERT_EQ(spec.name, service_unit_name("api", 3, Slot::B));
  EXPECT_EQ(render_unit_file(spec, kHeader), kClusterInstance);
}

BalancerPlan balancer_plan() {
  BalancerPlan p;
  p.app = "web-api";
  p.listen = "0.0.0.0:3000";
  p.backends_file = "/run/pmctl/web-api/backends";
  p.policy = Policy::LeastConnections;
  p.max_connections = 100;
  p.balancer = "/usr/libexec/pmctl/pmctl-balancer";
  p.scope = Scope::System;
  return p;
}

const char* const kBalancerSocket = R"x([Unit]
Description=public port of pmctl app 'web-api'

[Socket]
Slice=pmctl-web\x2dapi.slice
ListenStream=0.0.0.0:3000
ReusePort=no
TriggerLimitBurst=0
LogRateLimitIntervalSec=1000000us
LogRateLimitBurst=10000000
)x";

const char* const kBalancerService = R"x([Unit]
Description=pmctl balancer of 'web-api'
StartLimitIntervalSec=0us

[Service]
Slice=pmctl-web\x2dapi.slice
Type=notify
ExecStart=":/usr/libexec/pmctl/pmctl-balancer" "--backends" "/run/pmctl/web-api/backends" "--policy" "leastconn" "--max-connections" "100"
Restart=always
RestartSec=100000us
NoNewPrivileges=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallFilter=@system-service
SystemCallArchitectures=native
SystemCallErrorNumber=EPERM
LockPersonality=yes
MemoryDenyWriteExecute=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
RestrictNamespaces=yes
UMask=0077
DynamicUser=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateUsers=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
DevicePolicy=closed
RemoveIPC=yes
LogRateLimitIntervalSec=1000000us
LogRateLimitBurst=10000000
)x";

TEST(UnitFileEndToEnd, RendersTheBalancerSocketAndService) {
  const UnitSpec socket = balancer_units(balancer_plan());
  EXPECT_EQ(render_unit_file(socket, ""), kBalancerSocket);
  EXPECT_EQ(render_unit_file(socket.aux.at(0), ""), kBalancerService);
}

// systemd-analyze verify parses plain files without a running manager: it is the parser the
// manager uses, so any directive it does not accept shows up as a warning here.
TEST(UnitFileEndToEnd, SystemdAnalyzeAcceptsEveryDirective) {
  if (access("/usr/bin/systemd-analyze", X_OK) != 0) GTEST_SKIP() << "no systemd-analyze";
  const auto dir =
      std::filesystem::temp_directory_path() / ("pmctl-unit-file-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const UnitSpec socket = balancer_units(balancer_plan());
  const std::vector<UnitSpec> specs = {map_service(node_app(), system_ctx()), socket,
                                       socket.aux.at(0)};
  std::string files;
  for (const auto& spec : specs) {
    const auto path = dir / spec.name;
    std::ofstream(path) << render_unit_file(spec, kHeader);
    files += " '" + path.string() + "'";
  }
  std::string output;
  if (FILE* p =
          popen(("/usr/bin/systemd-analyze verify --man=no" + files + " 2>&1").c_str(), "r")) {
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p) != nullptr) output += buf;
    pclose(p);
  }
  std::filesystem::remove_all(dir);
  for (const char* complaint :
       {"Unknown key", "Unknown section", "nvalid", "Failed to parse", ", ignoring"})
    EXPECT_THAT(output, ::testing::Not(::testing::HasSubstr(complaint))) << output;
}

}  // namespace
}  // namespace pmctl::core
