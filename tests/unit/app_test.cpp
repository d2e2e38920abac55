#include "core/model/app.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

namespace pmctl::core {
namespace {

template <typename E>
struct WordCase {
  E value;
  std::string_view word;
};

// The words are the registry's and the ecosystem fields' and flags': each value has its own and
// reads back from it; anything else, a near miss too, is no value.
TEST(ClusterWords, ReadsBackEveryEndpointsWordAndNoOther) {
  const std::vector<WordCase<Endpoints>> cases = {{Endpoints::Tcp, "tcp"},
                                                  {Endpoints::Unix, "unix"}};
  for (const auto& c : cases) {
    EXPECT_EQ(to_string(c.value), c.word);
    EXPECT_EQ(endpoints_from_string(c.word), c.value) << c.word;
  }
  for (std::string_view bad : {"", "udp", "TCP", "tcp ", "unix:", "loopback"})
    EXPECT_EQ(endpoints_from_string(bad), std::nullopt) << bad;
}

TEST(ClusterWords, ReadsBackEveryPolicyWordAndNoOther) {
  const std::vector<WordCase<Policy>> cases = {{Policy::RoundRobin, "rr"},
                                               {Policy::LeastConnections, "leastconn"}};
  for (const auto& c : cases) {
    EXPECT_EQ(to_string(c.value), c.word);
    EXPECT_EQ(policy_from_string(c.word), c.value) << c.word;
  }
  for (std::string_view bad : {"", "random", "RR", "round-robin", "least_conn", "leastconnections"})
    EXPECT_EQ(policy_from_string(bad), std::nullopt) << bad;
}

TEST(ClusterWords, ReadsBackEveryLbModeWordAndNoOther) {
  const std::vector<WordCase<LbMode>> cases = {{LbMode::Proxy, "proxy"},
                                               {LbMode::Shared, "shared"}};
  for (const auto& c : cases) {
    EXPECT_EQ(to_string(c.value), c.word);
    EXPECT_EQ(lb_mode_from_string(c.word), c.value) << c.word;
  }
  for (std::string_view bad : {"", "reuseport", "Shared", "balancer"})
    EXPECT_EQ(lb_mode_from_string(bad), std::nullopt) << bad;
}

TEST(ClusterWords, DefaultsToTcpRoundRobinBehindTheBalancer) {
  const ClusterSettings c;
  EXPECT_EQ(to_string(c.endpoints), "tcp");
  EXPECT_EQ(to_string(c.policy), "rr");
  EXPECT_EQ(to_string(c.lb), "proxy");
  EXPECT_FALSE(c.shared());
}

}  // namespace
}  // namespace pmctl::core
