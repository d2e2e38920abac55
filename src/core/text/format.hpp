#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

/// PM2's uptime: "45s", "3m", "2h", "5D", "2M", "1Y" (the largest unit whose count is > 1 ... as
/// PM2).
std::string format_uptime(std::uint64_t ms);
/// PM2's memory: "512b", "1.5kb", "24.3mb", "1.2gb" (1024-based, one decimal).
std::string format_memory(std::uint64_t bytes);
/// "0%", "12.5%": one decimal, trailing ".0" dropped like PM2.
std::string format_cpu(double percent);
/// The number a string of decimal digits and nothing else stands for (the companions' numeric
/// options); nothing for "", "-1", "10M" or what overflows.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

}  // namespace pmctl::core
