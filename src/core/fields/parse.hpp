#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pmctl::core {

// Each parser throws core::Error naming `what` (e.g. "--kill-timeout") on bad input, with a hint
// that shows a valid example. None accepts signs, spaces, empty text or overflow.

/// Milliseconds: a bare number is ms (PM2's unit); suffixes ms, s, m, h; decimals allowed with
/// a suffix ("1.5s"). Examples: "1600", "500ms", "2s", "1.5m", "1h".
std::uint64_t parse_duration_ms(std::string_view text, std::string_view what);
/// PM2's CLI --watch-delay: a bare number is seconds ("2", "0.5"); with a unit as above ("500ms").
std::uint64_t parse_seconds_or_duration_ms(std::string_view text, std::string_view what);
/// Bytes: a bare number is bytes; K, M, G (1024-based, PM2's max_memory_restart), optional "B".
std::uint64_t parse_size_bytes(std::string_view text, std::string_view what);
/// PM2's cron_restart: "0" is off (""), anything else a cron pattern cron_to_calendar accepts,
/// kept as written; throws core::Error naming `what` and the cron field that is wrong.
std::string parse_cron_pattern(std::string_view text, std::string_view what);
/// A non-negative whole number.
std::uint64_t parse_count(std::string_view text, std::string_view what);
/// Exit codes 0..255; each element may itself be a comma-separated list ("12,42").
std::vector<int> parse_exit_codes(const std::vector<std::string>& items, std::string_view what);
/// "KEY=VALUE" with a valid environment variable name as KEY.
std::pair<std::string, std::string> parse_assignment(std::string_view text, std::string_view what);
/// Splits PM2's --interpreter-args / --node-args text on spaces, honouring single and double
/// quotes.
std::vector<std::string> split_args(std::string_view text);

}  // namespace pmctl::core
