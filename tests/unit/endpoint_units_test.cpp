// The endpoints' unit files (core/units/endpoint_units): a socket systemd listens on, the metrics
// handler started by the first connection (Accept=no) and gone after its idle timeout, the web's
// per-connection template service, and the address rules.
#include "core/units/endpoint_units.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/types/error.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(EndpointUnits, TheSocketAcceptsOnTheAddressAndStartsAtBoot) {
  const auto files = core::endpoint_unit_files(core::EndpointKind::Metrics, {"127.0.0.1", 9616},
                                               core::Scope::System, "/usr/bin/pmctl");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "pmctl-metrics.socket");
  EXPECT_THAT(files[0].text,
              HasSubstr("[Socket]\nListenStream=127.0.0.1:9616\nAccept=no\n\n[Install]\n"
                        "WantedBy=sockets.target\n"));
  EXPECT_EQ(files[1].name, "pmctl-metrics.service");
  EXPECT_THAT(files[1].text, HasSubstr("ExecStart=\":/usr/bin/pmctl\" \"--system\" \"metrics\" "
                                       "\"serve\" \"--idle-timeout\" \"30\"\n"));
  for (const char* line :
       {"CollectMode=inactive-or-failed\n", "StartLimitIntervalSec=0us\n", "ProtectSystem=strict\n",
        "PrivateNetwork=yes\n", "NoNewPrivileges=yes\n", "RestrictAddressFamilies=AF_UNIX\n"})
    EXPECT_THAT(files[1].text, HasSubstr(line)) << files[1].text;
  // It lives as long as it is scraped, and takes the listening socket, not one connection.
  for (const char* absent : {"RuntimeMaxSec", "StandardInput", "StandardOutput"})
    EXPECT_THAT(files[1].text, Not(HasSubstr(absent))) << files[1].text;
  // A private /tmp would hide a pmctl run from under /tmp or /var/tmp (CI's clone).
  EXPECT_THAT(files[1].text, Not(HasSubstr("PrivateTmp")));
}

TEST(EndpointUnits, AUserManagersServiceRunsPmctlUser) {
  const auto files = core::endpoint_unit_files(core::EndpointKind::Metrics, {"::1", 9700},
                                               core::Scope::User, "/opt/pmctl");
  EXPECT_THAT(files[0].text, HasSubstr("ListenStream=[::1]:9700\n"));
  EXPECT_THAT(files[1].text, HasSubstr("\"--user\" \"metrics\" \"serve\""));
  EXPECT_THAT(files[1].text, Not(HasSubstr("--system")));
}

TEST(EndpointUnits, TheMetricsHandlersIdleTimeoutIsItsArgument) {
  core::EndpointSettings settings{"127.0.0.1", 9616};
  settings.idle_seconds = 120;
  const auto files = core::endpoint_unit_files(core::EndpointKind::Metrics, settings,
                                               core::Scope::System, "/usr/bin/pmctl");
  EXPECT_THAT(files[1].text, HasSubstr("\"--idle-timeout\" \"120\"\n"));
  EXPECT_THAT(files[1].text, HasSubstr("exits after 120 s without a request"));
}

TEST(EndpointUnits, OnlyIpLiteralsAndRealPorts) {
  EXPECT_EQ(core::listen_stream({"0.0.0.0", 80}), "0.0.0.0:80");
  EXPECT_EQ(core::listen_stream({"fe80::1", 9616}), "[fe80::1]:9616");
  for (const std::string bad : {"localhost", "1.2.3", "", "127.0.0.1:80", "[::1]", " ::1"})
    EXPECT_THROW(core::listen_stream({bad, 9616}), core::Error) << bad;
  EXPECT_THROW(core::listen_stream({"127.0.0.1", 0}), core::Error);
  EXPECT_TRUE(core::is_loopback("127.0.0.1"));
  EXPECT_TRUE(core::is_loopback("127.1.2.3"));
  EXPECT_TRUE(core::is_loopback("::1"));
  EXPECT_TRUE(core::is_loopback("::ffff:127.0.0.1"));
  EXPECT_FALSE(core::is_loopback("::ffff:192.0.2.2"));
  EXPECT_FALSE(core::is_loopback(""));
  EXPECT_FALSE(core::is_loopback("0.0.0.0"));
  EXPECT_FALSE(core::is_loopback("10.0.0.1"));
  EXPECT_FALSE(core::is_loopback("::"));
}

std::string value_of(const std::vector<core::Property>& props, const std::string& name) {
  for (const auto& p : props)
    if (p.name == name) return p.name;  // present
  return "";
}

// The metrics service as the balancer (systemd-analyze security: docs/observability.md), less
// what would hide pmctl or the registry from it; no network at all.
TEST(EndpointUnits, TheMetricsServiceIsHardenedAsTheBalancerLessWhatHidesPmctl) {
  const auto props = core::metrics_hardening(core::Scope::System);
  for (const char* kept : {"CapabilityBoundingSet", "PrivateUsers", "SystemCallFilter",
                           "RestrictNamespaces", "ProtectSystem", "PrivateDevices", "UMask"})
    EXPECT_EQ(value_of(props, kept), kept);
  for (const char* gone : {"DynamicUser", "PrivateTmp", "ProtectProc", "ProcSubset"})
    EXPECT_EQ(value_of(props, gone), "") << gone;
  const auto files = core::endpoint_unit_files(core::EndpointKind::Metrics, {"127.0.0.1", 9616},
                                               core::Scope::System, "/usr/bin/pmctl");
  for (const char* line : {"CapabilityBoundingSet=\n", "ProtectHome=read-only\n",
                           "PrivateNetwork=yes\n", "SystemCallFilter=@system-service\n"})
    EXPECT_THAT(files[1].text, HasSubstr(line)) << files[1].text;
}

// The web service acts on the manager: it keeps what pmctl's verbs need (each exception in
// docs/observability.md).
TEST(EndpointUnits, TheWebServiceRunsWebServeWithTheExceptionsItNeeds) {
  const auto files = core::endpoint_unit_files(core::EndpointKind::Web, {"127.0.0.1", 9617},
                                               core::Scope::System, "/usr/bin/pmctl");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "pmctl-web.socket");
  EXPECT_THAT(files[0].text, HasSubstr("ListenStream=127.0.0.1:9617\nAccept=yes\n"));
  EXPECT_EQ(files[1].name, "pmctl-web@.service");
  EXPECT_THAT(files[1].text,
              HasSubstr("ExecStart=\":/usr/bin/pmctl\" \"--system\" \"web\" \"serve\"\n"));
  for (const char* line :
       {"ProtectSystem=full\n", "ProtectHome=read-only\n", "NoNewPrivileges=yes\n",
        "CapabilityBoundingSet=CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER\n",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n", "RuntimeMaxSec=300000000us\n"})
    EXPECT_THAT(files[1].text, HasSubstr(line)) << files[1].text;
  for (const char* absent : {"PrivateNetwork", "PrivateUsers", "DynamicUser", "PrivateTmp"})
    EXPECT_THAT(files[1].text, Not(HasSubstr(absent))) << files[1].text;
  const auto user = core::endpoint_unit_files(core::EndpointKind::Web, {"::1", 9617},
                                              core::Scope::User, "/opt/pmctl");
  EXPECT_THAT(user[1].text, HasSubstr("\"--user\" \"web\" \"serve\""));
  EXPECT_THAT(user[1].text, Not(HasSubstr("CapabilityBoundingSet")));
  EXPECT_THAT(user[1].text, Not(HasSubstr("ProtectHome"))) << "the user's state is in their home";
}

}  // namespace
}  // namespace pmctl::test
