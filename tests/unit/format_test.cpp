#include "core/text/format.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace pmctl::core {
namespace {

constexpr std::uint64_t kSecond = 1000;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;
constexpr std::uint64_t kDay = 24 * kHour;

struct UptimeCase {
  std::uint64_t ms;
  std::string expected;
};

TEST(Format, FormatsUptimeLikePm2) {
  const std::vector<UptimeCase> cases = {
      {0, "0s"},
      {999, "0s"},
      {45 * kSecond, "45s"},
      {90 * kSecond, "90s"},
      {2 * kMinute - 1, "119s"},
      {2 * kMinute, "2m"},
      {119 * kMinute, "119m"},
      {2 * kHour, "2h"},
      {36 * kHour, "36h"},
      {2 * kDay, "2D"},
      {59 * kDay, "59D"},
      {60 * kDay, "2M"},
      {729 * kDay, "24M"},
      {730 * kDay, "2Y"},
      {3650 * kDay, "10Y"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_uptime(c.ms), c.expected) << c.ms << " ms";
  }
}

struct MemoryCase {
  std::uint64_t bytes;
  std::string expected;
};

TEST(Format, FormatsMemoryWithBinaryUnitsAndOneDecimal) {
  const std::vector<MemoryCase> cases = {
      {0, "0b"},
      {512, "512b"},
      {1023, "1023b"},
      {1024, "1.0kb"},
      {1536, "1.5kb"},
      {1024 * 1024 - 1, "1024.0kb"},
      {1024 * 1024, "1.0mb"},
      {25480396, "24.3mb"},
      {1024ULL * 1024 * 1024, "1.0gb"},
      {1288490189, "1.2gb"},
      {5000ULL * 1024 * 1024 * 1024, "5000.0gb"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_memory(c.bytes), c.expected) << c.bytes << " bytes";
  }
}

struct CpuCase {
  double percent;
  std::string expected;
};

TEST(Format, FormatsCpuWithOneDecimalAndNoTrailingZero) {
  const std::vector<CpuCase> cases = {
      {0, "0%"},     {0.04, "0%"},    {0.05, "0.1%"}, {12.5, "12.5%"}, {12.46, "12.5%"},
      {12.0, "12%"}, {99.96, "100%"}, {250, "250%"},  {-3, "0%"},      {std::nan(""), "0%"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_cpu(c.percent), c.expected) << c.percent;
  }
}

}  // namespace
}  // namespace pmctl::core
