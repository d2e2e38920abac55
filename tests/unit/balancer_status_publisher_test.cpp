#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "balancer/status_publisher.hpp"

namespace pmctl::balancer {
namespace {

using std::chrono::milliseconds;
using Clock = StatusPublisher::Clock;

const Clock::time_point kStart = Clock::time_point() + std::chrono::hours(1);

core::BalancerCounters with_accepted(std::uint64_t n) { return {.open = 1, .accepted = n}; }

TEST(BalancerStatusPublisher, PublishesAtOnceWithReadyWhateverTheInterval) {
  StatusPublisher p;
  EXPECT_EQ(p.publish({}, kStart), "open=0 accepted=0 unserved=0 retried=0 rehomed=0 backends=0/0");
  EXPECT_EQ(p.publish(with_accepted(1), kStart + milliseconds(1)),
            "open=1 accepted=1 unserved=0 retried=0 rehomed=0 backends=0/0");
  EXPECT_EQ(p.deadline(), std::nullopt);
}

TEST(BalancerStatusPublisher, HasNothingToDoWhileNothingChanges) {
  StatusPublisher p;
  p.publish({}, kStart);
  EXPECT_EQ(p.update({}, kStart + milliseconds(10)), std::nullopt);
  EXPECT_EQ(p.update({}, kStart + std::chrono::hours(5)), std::nullopt);
  EXPECT_EQ(p.deadline(), std::nullopt);  // the loop may sleep for ever
}

TEST(BalancerStatusPublisher, AChangeWithinTheIntervalWaitsForItsEnd) {
  StatusPublisher p;
  p.publish({}, kStart);
  EXPECT_EQ(p.update(with_accepted(1), kStart + milliseconds(200)), std::nullopt);
  EXPECT_EQ(p.deadline(), kStart + milliseconds(1000));
  EXPECT_EQ(p.update(with_accepted(2), kStart + milliseconds(999)), std::nullopt);
  EXPECT_EQ(p.update(with_accepted(3), kStart + milliseconds(1000)),
            "open=1 accepted=3 unserved=0 retried=0 rehomed=0 backends=0/0");
  EXPECT_EQ(p.deadline(), std::nullopt);
}

TEST(BalancerStatusPublisher, AChangeAfterAQuietIntervalGoesOutAtOnce) {
  StatusPublisher p;
  p.publish({}, kStart);
  EXPECT_NE(p.update(with_accepted(1), kStart + milliseconds(1500)), std::nullopt);
  EXPECT_EQ(p.update(with_accepted(2), kStart + milliseconds(1600)), std::nullopt);
  EXPECT_EQ(p.deadline(), kStart + milliseconds(2500));
}

TEST(BalancerStatusPublisher, AChangeUndoneBeforeItWentOutIsNotPublished) {
  StatusPublisher p;
  p.publish({.backends_up = 2, .backends = 2}, kStart);
  EXPECT_EQ(p.update({.backends_up = 1, .backends = 2}, kStart + milliseconds(100)), std::nullopt);
  EXPECT_NE(p.deadline(), std::nullopt);
  EXPECT_EQ(p.update({.backends_up = 2, .backends = 2}, kStart + milliseconds(200)), std::nullopt);
  EXPECT_EQ(p.deadline(), std::nullopt);
}

TEST(BalancerStatusPublisher, APublishWithReadyRestartsTheInterval) {
  StatusPublisher p;
  p.publish({}, kStart);
  EXPECT_EQ(p.update(with_accepted(1), kStart + milliseconds(900)), std::nullopt);
  p.publish(with_accepted(1), kStart + milliseconds(950));  // a reload
  EXPECT_EQ(p.deadline(), std::nullopt);
  EXPECT_EQ(p.update(with_accepted(2), kStart + milliseconds(1100)), std::nullopt);
  EXPECT_EQ(p.deadline(), kStart + milliseconds(1950));
}

TEST(BalancerStatusPublisher, TheFirstChangeGoesOutAtOnceWhenNothingWasPublishedYet) {
  StatusPublisher p(milliseconds(500));
  EXPECT_NE(p.update(with_accepted(1), kStart), std::nullopt);
  EXPECT_EQ(p.update(with_accepted(2), kStart + milliseconds(499)), std::nullopt);
  EXPECT_EQ(p.deadline(), kStart + milliseconds(500));
}

}  // namespace
}  // namespace pmctl::balancer
