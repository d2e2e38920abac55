#include "core/text/balancer_status.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <iterator>
#include <system_error>

namespace pmctl::core {
namespace {

/// The single-number words, in the order they are written; `backends=UP/LISTED` comes last.
struct Field {
  std::string_view key;
  std::uint64_t BalancerCounters::*member;
};
constexpr Field kFields[] = {
    {"open", &BalancerCounters::open},         {"accepted", &BalancerCounters::accepted},
    {"unserved", &BalancerCounters::unserved}, {"retried", &BalancerCounters::retried},
    {"rehomed", &BalancerCounters::rehomed},
};
constexpr std::size_t kFieldCount = std::size(kFields);
constexpr unsigned kBackendsSeen = 1u << kFieldCount;
constexpr unsigned kAllSeen = (kBackendsSeen << 1) - 1;

/// A decimal number as to_string writes it: digits only, no leading zero, at most 2^64-1.
bool read_number(std::string_view text, std::uint64_t& out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool read_backends(std::string_view text, BalancerCounters& c) {
  const auto slash = text.find('/');
  return slash != std::string_view::npos && read_number(text.substr(0, slash), c.backends_up) &&
         read_number(text.substr(slash + 1), c.backends);
}

bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; });
}

/// Marks `bit` in `seen`; false when it was already there (a repeated key).
bool first_time(unsigned& seen, unsigned bit) {
  if (seen & bit) return false;
  seen |= bit;
  return true;
}

/// One `key=value` word into `c`; false when it is not one.
bool read_word(std::string_view word, BalancerCounters& c, unsigned& seen) {
  const auto eq = word.find('=');
  if (eq == std::string_view::npos || !is_name(word.substr(0, eq))) return false;
  const auto key = word.substr(0, eq), value = word.substr(eq + 1);
  if (key == "backends") return first_time(seen, kBackendsSeen) && read_backends(value, c);
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (key == kFields[i].key)
      return first_time(seen, 1u << i) && read_number(value, c.*kFields[i].member);
  return !value.empty();  // a counter of a newer balancer: skipped
}

}  // namespace

std::string format_balancer_status(const BalancerCounters& c) {
  std::string out;
  for (const Field& f : kFields)
    out.append(f.key).append("=").append(std::to_string(c.*f.member)).append(" ");
  return out + "backends=" + std::to_string(c.backends_up) + "/" + std::to_string(c.backends);
}

std::optional<BalancerCounters> parse_balancer_status(std::string_view text) {
  BalancerCounters c;
  unsigned seen = 0;
  for (std::size_t start = 0;;) {
    const auto end = text.find(' ', start);
    if (!read_word(text.substr(start, end - start), c, seen)) return std::nullopt;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (seen != kAllSeen || c.backends_up > c.backends) return std::nullopt;
  return c;
}

}  // namespace pmctl::core
