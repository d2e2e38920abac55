#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <string>

#include "balancer/backend_file.hpp"
#include "balancer/backend_set.hpp"
#include "balancer/error.hpp"

namespace pmctl::balancer {
namespace {

TEST(BalancerBackendFile, ReadsTcpAndUnixBackendsWithTheirDrainMark) {
  auto b = parse_backend_file(
      "# instances of app 'web'\n"
      "tcp:127.0.0.1:3001\n"
      "\n"
      "  tcp:[::1]:3002   drain\n"
      "unix:/run/pmctl/web-2.sock\n");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].name, "tcp:127.0.0.1:3001");
  EXPECT_FALSE(b[0].drain);
  EXPECT_EQ(b[1].name, "tcp:[::1]:3002");
  EXPECT_TRUE(b[1].drain);
  EXPECT_EQ(b[2].name, "unix:/run/pmctl/web-2.sock");
}

TEST(BalancerBackendFile, BuildsAnIpv4SocketAddress) {
  Address a = parse_address("tcp:127.0.0.1:3001");
  auto* in = reinterpret_cast<const sockaddr_in*>(&a.storage);
  EXPECT_EQ(a.family(), AF_INET);
  EXPECT_EQ(a.length, sizeof(sockaddr_in));
  EXPECT_EQ(ntohs(in->sin_port), 3001);
  EXPECT_EQ(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
}

TEST(BalancerBackendFile, BuildsAnIpv6SocketAddress) {
  Address a = parse_address("tcp:[::1]:80");
  EXPECT_EQ(a.family(), AF_INET6);
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_port), 80);
}

TEST(BalancerBackendFile, BuildsPathAndAbstractUnixAddresses) {
  Address path = parse_address("unix:/run/x.sock");
  auto* un = reinterpret_cast<const sockaddr_un*>(&path.storage);
  EXPECT_EQ(path.family(), AF_UNIX);
  EXPECT_STREQ(un->sun_path, "/run/x.sock");
  EXPECT_EQ(path.length, offsetof(sockaddr_un, sun_path) + 12);

  Address abstract = parse_address("unix:@web");
  auto* an = reinterpret_cast<const sockaddr_un*>(&abstract.storage);
  EXPECT_EQ(an->sun_path[0], '\0');
  EXPECT_EQ(std::string(an->sun_path + 1, 3), "web");
  EXPECT_EQ(abstract.length, offsetof(sockaddr_un, sun_path) + 4);
}

TEST(BalancerBackendFile, RefusesBadAddresses) {
  for (const char* bad :
       {"127.0.0.1:3001", "tcp:127.0.0.1", "tcp:127.0.0.1:0", "tcp:127.0.0.1:65536",
        "tcp:localhost:80", "tcp:[::1:80", "unix:relative.sock", "unix:", "udp:1.2.3.4:5"}) {
    EXPECT_THROW(parse_address(bad), Error) << bad;
  }
}

TEST(BalancerBackendFile, NamesTheLineOfABadEntry) {
  try {
    parse_backend_file("tcp:127.0.0.1:1\ntcp:127.0.0.1:2 drained\n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), ::testing::StartsWith("line 2: ")) << e.what();
  }
}

TEST(BalancerBackendFile, SaysWhichFileCannotBeRead) {
  EXPECT_THROW(read_backend_file("/nonexistent/backends"), Error);
}

TEST(BalancerBackendSet, AReloadKeepsTheStateOfBackendsThatStay) {
  BackendSet set;
  set.replace(parse_backend_file("tcp:127.0.0.1:1\ntcp:127.0.0.1:2\n"));
  BackendPtr kept = set.all()[1];
  kept->active = 4;
  set.replace(parse_backend_file("tcp:127.0.0.1:2 drain\ntcp:127.0.0.1:3\n"));
  ASSERT_EQ(set.all().size(), 2u);
  EXPECT_EQ(set.all()[0], kept);
  EXPECT_EQ(set.all()[0]->active, 4u);
  EXPECT_TRUE(set.all()[0]->spec.drain);
}

TEST(BalancerBackendSet, ChoosesNeitherTriedNorDrainingBackends) {
  BackendSet set;
  set.replace(parse_backend_file("tcp:127.0.0.1:1\ntcp:127.0.0.1:2 drain\ntcp:127.0.0.1:3\n"));
  Policy p(PolicyKind::kRoundRobin);
  auto now = Clock::now();
  EXPECT_EQ(set.choose(p, {set.all()[0].get()}, now), set.all()[2]);
  EXPECT_EQ(set.choose(p, {set.all()[0].get(), set.all()[2].get()}, now), nullptr);
}

TEST(BalancerBackendSet, SkipsADownBackendUntilItsTimeIsUp) {
  BackendSet set;
  set.replace(parse_backend_file("tcp:127.0.0.1:1\ntcp:127.0.0.1:2\n"));
  auto now = Clock::now();
  set.all()[0]->down_until = now + std::chrono::seconds(1);
  Policy p(PolicyKind::kRoundRobin);
  EXPECT_EQ(set.choose(p, {}, now), set.all()[1]);
  EXPECT_EQ(set.choose(p, {}, now), set.all()[1]);
  EXPECT_EQ(set.choose(p, {}, now + std::chrono::seconds(2)), set.all()[0]);
}

}  // namespace
}  // namespace pmctl::balancer
