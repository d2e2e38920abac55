#include "core/fields/parse.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

#include "core/types/error.hpp"
#include "core/units/cron_calendar.hpp"

namespace pmctl::core {
namespace {

using u64 = std::uint64_t;

[[noreturn]] void reject(std::string_view text, std::string_view what, std::string_view expected,
                         std::string_view hint) {
  throw Error("invalid value '" + std::string(text) + "' for " + std::string(what) + ": expected " +
                  std::string(expected),
              std::string(hint));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// All digits, no sign, no spaces, fits in 64 bits.
std::optional<u64> to_u64(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
  }
  u64 value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::optional<u64> checked_mul(u64 a, u64 b) {
  u64 r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<u64> pow10(std::size_t n) {
  u64 r = 1;
  for (std::size_t i = 0; i < n; ++i) {
    auto next = checked_mul(r, 10);
    if (!next) return std::nullopt;
    r = *next;
  }
  return r;
}

std::optional<u64> duration_unit_ms(std::string_view suffix) {
  if (suffix == "ms") return 1;
  if (suffix == "s") return 1000;
  if (suffix == "m") return 60'000;
  if (suffix == "h") return 3'600'000;
  return std::nullopt;
}

// "1.5" with unit 1000 -> 1500. Exact integer arithmetic: a value that is not a whole number of
// base units (e.g. "1.5ms") is refused rather than rounded.
std::optional<u64> scaled_decimal(std::string_view number, u64 unit) {
  auto dot = number.find('.');
  std::string digits(number.substr(0, dot));
  std::size_t fraction_digits = 0;
  if (dot != std::string_view::npos) {
    if (dot == 0 || dot + 1 == number.size()) return std::nullopt;
    digits += number.substr(dot + 1);
    fraction_digits = number.size() - dot - 1;
  }
  auto mantissa = to_u64(digits);
  auto divisor = pow10(fraction_digits);
  if (!mantissa || !divisor) return std::nullopt;
  auto total = checked_mul(*mantissa, unit);
  if (!total || *total % *divisor != 0) return std::nullopt;
  return *total / *divisor;
}

std::optional<u64> duration_ms(std::string_view text) {
  std::size_t split = 0;
  while (split < text.size() && (is_digit(text[split]) || text[split] == '.')) ++split;
  auto number = text.substr(0, split);
  auto suffix = text.substr(split);
  if (suffix.empty()) return to_u64(number);  // a bare number is PM2's milliseconds
  auto unit = duration_unit_ms(suffix);
  if (!unit) return std::nullopt;
  return scaled_decimal(number, *unit);
}

std::optional<u64> size_unit_bytes(std::string_view suffix) {
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.remove_suffix(1);
  if (suffix.empty()) return 1;
  if (suffix.size() != 1) return std::nullopt;
  switch (suffix[0]) {
    case 'K':
    case 'k':
      return u64{1} << 10;
    case 'M':
    case 'm':
      return u64{1} << 20;
    case 'G':
    case 'g':
      return u64{1} << 30;
    default:
      return std::nullopt;
  }
}

bool is_env_name(std::string_view name) {
  if (name.empty() || is_digit(name[0])) return false;
  for (char c : name) {
    bool ok = is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

u64 parse_duration_ms(std::string_view text, std::string_view what) {
  auto ms = duration_ms(text);
  if (!ms) reject(text, what, "a duration", "use milliseconds (1600) or a unit: 500ms, 2s, 1m");
  return *ms;
}

u64 parse_seconds_or_duration_ms(std::string_view text, std::string_view what) {
  const bool bare = !text.empty() && std::all_of(text.begin(), text.end(),
                                                 [](char c) { return is_digit(c) || c == '.'; });
  const auto ms = duration_ms(bare ? std::string(text) + "s" : std::string(text));
  if (!ms) reject(text, what, "a delay", "use seconds (2, 0.5) or a unit: 500ms, 2s");
  return *ms;
}

u64 parse_size_bytes(std::string_view text, std::string_view what) {
  std::size_t split = 0;
  while (split < text.size() && is_digit(text[split])) ++split;
  auto number = to_u64(text.substr(0, split));
  auto unit = size_unit_bytes(text.substr(split));
  std::optional<u64> bytes;
  if (number && unit) bytes = checked_mul(*number, *unit);
  if (!bytes) reject(text, what, "a size", "use bytes (1048576) or K, M, G: 512K, 200M, 1G");
  return *bytes;
}

u64 parse_count(std::string_view text, std::string_view what) {
  auto n = to_u64(text);
  if (!n) reject(text, what, "a whole number", "use digits only, e.g. 16");
  return *n;
}

std::vector<int> parse_exit_codes(const std::vector<std::string>& items, std::string_view what) {
  std::vector<int> codes;
  for (std::string_view item : items) {
    std::string_view rest = item;
    while (true) {
      auto comma = rest.find(',');
      auto code = to_u64(rest.substr(0, comma));
      if (!code || *code > 255) {
        reject(item, what, "exit codes from 0 to 255", "list exit codes like 0 or 12,42");
      }
      codes.push_back(static_cast<int>(*code));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return codes;
}

std::pair<std::string, std::string> parse_assignment(std::string_view text, std::string_view what) {
  auto eq = text.find('=');
  auto key = text.substr(0, eq);
  if (eq == std::string_view::npos || !is_env_name(key)) {
    reject(text, what, "KEY=VALUE",
           "write NAME=value, e.g. NODE_ENV=production (NAME: letters, digits and _, not "
           "starting with a digit)");
  }
  return {std::string(key), std::string(text.substr(eq + 1))};
}

// Like a shell without expansions or backslash escapes: quotes group words and are removed,
// so `--a="x y" 'z'` gives `--a=x y` and `z`, and '' gives an empty argument.
std::vector<std::string> split_args(std::string_view text) {
  std::vector<std::string> args;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        current += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) args.push_back(std::move(current));
      current.clear();
      in_word = false;
    } else {
      current += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    throw Error(
        "unterminated " + std::string(1, quote) + " quote in arguments '" + std::string(text) + "'",
        "close the quote, as in --interpreter-args \"--title 'my app'\"");
  }
  if (in_word) args.push_back(std::move(current));
  return args;
}

std::string parse_cron_pattern(std::string_view text, std::string_view what) {
  if (text == "0") return "";
  try {
    cron_to_calendar(text);
  } catch (const Error& e) {
    throw Error(std::string(what) + ": " + e.what(), e.hint());
  }
  return std::string(text);
}

}  // namespace pmctl::core
