// The metrics endpoint's unit files (core/units/endpoint_units): a socket systemd listens on, a
// per-connection template service running `pmctl metrics serve`, and the address rules.
#include "core/units/endpoint_units.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/types/error.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(EndpointUnits, TheSocketAcceptsOnTheAddressAndStartsAtBoot) {
  const auto files =
      core::metrics_unit_files({"127.0.0.1", 9616}, core::Scope::System, "/usr/bin/pmctl");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "pmctl-metrics.socket");
  EXPECT_THAT(files[0].text, HasSubstr("[Socket]\nListenStream=127.0.0.1:9616\nAccept=yes\n"
                                       "MaxConnections=16\n"));
  EXPECT_THAT(files[0].text, HasSubstr("[Install]\nWantedBy=sockets.target\n"));
  EXPECT_EQ(files[1].name, "pmctl-metrics@.service");
  EXPECT_THAT(files[1].text,
              HasSubstr("ExecStart=\":/usr/bin/pmctl\" \"--system\" \"metrics\" \"serve\"\n"));
  for (const char* line :
       {"StandardInput=socket\n", "StandardOutput=socket\n", "CollectMode=inactive-or-failed\n",
        "RuntimeMaxSec=10000000us\n", "ProtectSystem=strict\n", "PrivateNetwork=yes\n",
        "NoNewPrivileges=yes\n", "RestrictAddressFamilies=AF_UNIX\n"})
    EXPECT_THAT(files[1].text, HasSubstr(line)) << files[1].text;
  // A private /tmp would hide a pmctl run from under /tmp or /var/tmp (CI's clone).
  EXPECT_THAT(files[1].text, Not(HasSubstr("PrivateTmp")));
}

TEST(EndpointUnits, AUserManagersServiceRunsPmctlUser) {
  const auto files = core::metrics_unit_files({"::1", 9700}, core::Scope::User, "/opt/pmctl");
  EXPECT_THAT(files[0].text, HasSubstr("ListenStream=[::1]:9700\n"));
  EXPECT_THAT(files[1].text, HasSubstr("\"--user\" \"metrics\" \"serve\""));
  EXPECT_THAT(files[1].text, Not(HasSubstr("--system")));
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
  EXPECT_FALSE(core::is_loopback("0.0.0.0"));
  EXPECT_FALSE(core::is_loopback("10.0.0.1"));
  EXPECT_FALSE(core::is_loopback("::"));
}

}  // namespace
}  // namespace pmctl::test
