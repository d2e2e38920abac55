#include "core/text/balancer_status.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace pmctl::core {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

struct FormatCase {
  BalancerCounters counters;
  std::string text;
};

TEST(BalancerStatus, FormatsOneLineOfWordsThatParsesBackToTheSameCounters) {
  const FormatCase cases[] = {
      {{}, "open=0 accepted=0 unserved=0 retried=0 rehomed=0 backends=0/0"},
      {{.open = 3, .accepted = 120, .retried = 2, .rehomed = 1, .backends_up = 2, .backends = 2},
       "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2"},
      {{.accepted = 7, .unserved = 7, .backends = 3},
       "open=0 accepted=7 unserved=7 retried=0 rehomed=0 backends=0/3"},
      {{kMax, kMax, kMax, kMax, kMax, kMax, kMax},
       "open=18446744073709551615 accepted=18446744073709551615 unserved=18446744073709551615 "
       "retried=18446744073709551615 rehomed=18446744073709551615 "
       "backends=18446744073709551615/18446744073709551615"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_balancer_status(c.counters), c.text);
    EXPECT_EQ(parse_balancer_status(c.text), c.counters) << c.text;
  }
}

TEST(BalancerStatus, ReadsTheWordsInAnyOrder) {
  EXPECT_EQ(parse_balancer_status("backends=1/2 rehomed=5 retried=4 unserved=3 accepted=2 open=1"),
            (BalancerCounters{1, 2, 3, 4, 5, 1, 2}));
}

TEST(BalancerStatus, SkipsAWellFormedWordOfANewerBalancer) {
  EXPECT_EQ(parse_balancer_status(
                "open=1 accepted=2 unserved=3 retried=4 rehomed=5 backends=1/2 bytes_in=99"),
            (BalancerCounters{1, 2, 3, 4, 5, 1, 2}));
}

TEST(BalancerStatus, RefusesAnythingElse) {
  const char* const refused[] = {
      "Accepting connections",  // an older balancer
      "",
      " ",
      "open=1",
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1",               // no backends
      "open=3 accepted=120 unserved=0 retried=2 backends=2/2",            // no rehomed
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2",    // no slash
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=3/2",  // more up than listed
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=/2",
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/",
      "open=-1 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=+1 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=01 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=1.5 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open= accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=99999999999999999999 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=18446744073709551616 accepted=1 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=1 open=1 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",  // repeated
      "open=3  accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",        // two spaces
      " open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2 ",
      "open=3\taccepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2\n",
      "OPEN=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2",
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2 later",  // not key=value
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2 new=",
      "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2 =5",
  };
  for (const char* text : refused) EXPECT_EQ(parse_balancer_status(text), std::nullopt) << text;
}

}  // namespace
}  // namespace pmctl::core
