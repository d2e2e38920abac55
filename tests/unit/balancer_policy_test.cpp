#include <gtest/gtest.h>

#include <vector>

#include "balancer/error.hpp"
#include "balancer/policy.hpp"

namespace pmctl::balancer {
namespace {

std::vector<std::size_t> picks(Policy& p, const std::vector<Candidate>& c, int n) {
  std::vector<std::size_t> out;
  for (int i = 0; i < n; ++i) out.push_back(p.pick(c).value());
  return out;
}

TEST(BalancerPolicy, RoundRobinTakesEachBackendInTurn) {
  Policy p(PolicyKind::kRoundRobin);
  std::vector<Candidate> c(3);
  EXPECT_EQ(picks(p, c, 7), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(BalancerPolicy, RoundRobinSkipsIneligibleBackends) {
  Policy p(PolicyKind::kRoundRobin);
  std::vector<Candidate> c(3);
  c[1].eligible = false;
  EXPECT_EQ(picks(p, c, 4), (std::vector<std::size_t>{0, 2, 0, 2}));
}

TEST(BalancerPolicy, RoundRobinPrefersBackendsThatAreUp) {
  Policy p(PolicyKind::kRoundRobin);
  std::vector<Candidate> c(3);
  c[0].up = false;
  EXPECT_EQ(picks(p, c, 3), (std::vector<std::size_t>{1, 2, 1}));
}

TEST(BalancerPolicy, TriesADownBackendWhenNoneIsUp) {
  Policy p(PolicyKind::kRoundRobin);
  std::vector<Candidate> c(2);
  c[0].up = c[1].up = false;
  EXPECT_EQ(p.pick(c), 0u);
}

TEST(BalancerPolicy, PicksNothingWhenEveryBackendIsIneligible) {
  Policy p(PolicyKind::kLeastConnections);
  std::vector<Candidate> c(2);
  c[0].eligible = c[1].eligible = false;
  EXPECT_FALSE(p.pick(c).has_value());
  EXPECT_FALSE(p.pick({}).has_value());
}

TEST(BalancerPolicy, LeastConnectionsPicksTheIdlestBackend) {
  Policy p(PolicyKind::kLeastConnections);
  std::vector<Candidate> c{{.active = 3}, {.active = 1}, {.active = 2}};
  EXPECT_EQ(p.pick(c), 1u);
  EXPECT_EQ(p.pick(c), 1u);
}

TEST(BalancerPolicy, LeastConnectionsBreaksTiesInTurn) {
  Policy p(PolicyKind::kLeastConnections);
  std::vector<Candidate> c(3);
  EXPECT_EQ(picks(p, c, 4), (std::vector<std::size_t>{0, 1, 2, 0}));
}

TEST(BalancerPolicy, LeastConnectionsIgnoresAnIdleDrainingBackend) {
  Policy p(PolicyKind::kLeastConnections);
  std::vector<Candidate> c{{.eligible = false, .active = 0}, {.active = 5}};
  EXPECT_EQ(p.pick(c), 1u);
}

TEST(BalancerPolicy, ParsesItsTwoNamesAndRefusesOthers) {
  EXPECT_EQ(parse_policy("rr"), PolicyKind::kRoundRobin);
  EXPECT_EQ(parse_policy("leastconn"), PolicyKind::kLeastConnections);
  EXPECT_THROW(parse_policy("random"), Error);
}

}  // namespace
}  // namespace pmctl::balancer
