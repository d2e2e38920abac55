#include "core/text/format.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace pmctl::core {
namespace {

struct TimeUnit {
  std::uint64_t seconds;
  const char* suffix;
};

// PM2's month is 30 days and its year 365 days.
constexpr std::array<TimeUnit, 5> kTimeUnits = {{
    {365 * 86400, "Y"},
    {30 * 86400, "M"},
    {86400, "D"},
    {3600, "h"},
    {60, "m"},
}};

std::string one_decimal(double value, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f%s", value, suffix);
  return buf;
}

}  // namespace

// Exactly PM2's timeSince(): a unit is used only once its count reaches 2, so 90 s is "90s",
// 2 min is "2m" and 36 h is "36h". Counts are floored.
std::string format_uptime(std::uint64_t ms) {
  std::uint64_t seconds = ms / 1000;
  for (const auto& unit : kTimeUnits) {
    std::uint64_t count = seconds / unit.seconds;
    if (count > 1) return std::to_string(count) + unit.suffix;
  }
  return std::to_string(seconds) + "s";
}

// PM2's bytesToSize() with precision 1: bytes as an integer, larger units with one decimal
// kept even when it is 0 ("1.0kb").
std::string format_memory(std::uint64_t bytes) {
  constexpr std::uint64_t kKiB = 1024;
  constexpr std::uint64_t kMiB = kKiB * 1024;
  constexpr std::uint64_t kGiB = kMiB * 1024;
  auto b = static_cast<double>(bytes);
  if (bytes < kKiB) return std::to_string(bytes) + "b";
  if (bytes < kMiB) return one_decimal(b / kKiB, "kb");
  if (bytes < kGiB) return one_decimal(b / kMiB, "mb");
  return one_decimal(b / kGiB, "gb");
}

std::string format_cpu(double percent) {
  if (!(percent > 0)) return "0%";  // also NaN
  std::string s = one_decimal(std::round(percent * 10) / 10, "");
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s + "%";
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

}  // namespace pmctl::core
