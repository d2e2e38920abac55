#include <gtest/gtest.h>

#include "balancer/error.hpp"
#include "balancer/listen_fds.hpp"

namespace pmctl::balancer {
namespace {

TEST(BalancerListenFds, CountsTheFdsPassedToThisProcess) {
  EXPECT_EQ(parse_listen_fds("42", "2", 42), 2);
  EXPECT_EQ(parse_listen_fds("42", "0", 42), 0);
}

TEST(BalancerListenFds, IgnoresFdsMeantForAnotherProcess) {
  EXPECT_EQ(parse_listen_fds("41", "2", 42), 0);
  EXPECT_EQ(parse_listen_fds("41", "junk", 42), 0);
}

TEST(BalancerListenFds, SeesNoneWithoutTheVariables) {
  EXPECT_EQ(parse_listen_fds(nullptr, "2", 42), 0);
  EXPECT_EQ(parse_listen_fds("42", nullptr, 42), 0);
}

TEST(BalancerListenFds, RefusesMalformedValues) {
  EXPECT_THROW(parse_listen_fds("42x", "1", 42), Error);
  EXPECT_THROW(parse_listen_fds("", "1", 42), Error);
  EXPECT_THROW(parse_listen_fds("42", "-1", 42), Error);
  EXPECT_THROW(parse_listen_fds("42", "1 ", 42), Error);
}

}  // namespace
}  // namespace pmctl::balancer
