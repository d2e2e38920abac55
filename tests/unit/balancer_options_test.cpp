#include <gtest/gtest.h>

#include "balancer/error.hpp"
#include "balancer/options.hpp"

namespace pmctl::balancer {
namespace {

TEST(BalancerOptions, ReadsEveryFlagInBothSpellings) {
  Options o =
      parse_options({"--backends", "/run/b", "--policy=leastconn", "--max-connections", "50",
                     "--connect-timeout=0.5", "--stop-timeout", "3", "--down-time", "2"});
  EXPECT_EQ(o.backends_file, "/run/b");
  EXPECT_EQ(o.policy, PolicyKind::kLeastConnections);
  EXPECT_EQ(o.max_connections, 50u);
  EXPECT_EQ(o.connect_timeout.count(), 500);
  EXPECT_EQ(o.stop_timeout.count(), 3000);
  EXPECT_EQ(o.down_for.count(), 2000);
}

TEST(BalancerOptions, DefaultsToRoundRobin) {
  Options o = parse_options({"--backends=/b"});
  EXPECT_EQ(o.policy, PolicyKind::kRoundRobin);
  EXPECT_EQ(o.max_connections, 1024u);
}

TEST(BalancerOptions, RefusesBadCommandLines) {
  using Args = std::vector<std::string>;
  for (const Args& bad : {Args{}, Args{"--backends"}, Args{"--backends=/b", "--max-connections=0"},
                          Args{"--backends=/b", "--stop-timeout=-1"}, Args{"--backends=/b", "x"},
                          Args{"--backends=/b", "--bogus=1"}, Args{"--backends=/b", "--policy=x"}})
    EXPECT_THROW(parse_options(bad), Error);
}

TEST(BalancerOptions, HelpNeedsNothingElse) { EXPECT_TRUE(parse_options({"--help"}).help); }

}  // namespace
}  // namespace pmctl::balancer
