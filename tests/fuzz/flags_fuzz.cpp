// libFuzzer target for the flag and field value parsers (core/fields/parse): durations, sizes,
// counts, exit codes, KEY=VALUE assignments and --interpreter-args splitting. The first byte
// picks the parser. Any exception other than core::Error, a crash, a sanitizer report or a
// broken invariant (a value that does not read back from its own rendering) is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/fields/parse.hpp"
#include "core/types/error.hpp"
#include "fuzz_input.hpp"

namespace {

using namespace pmctl::core;

void check(bool ok) {
  if (!ok) std::abort();
}

std::string_view without_leading_zeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

// A bare number is milliseconds, so every result reads back from its decimal form.
void durations(std::string_view text) {
  const auto ms = parse_duration_ms(text, "--fuzz");
  check(parse_duration_ms(std::to_string(ms), "--fuzz") == ms);
}

// --watch-delay: a bare number is seconds, so every result reads back as milliseconds.
void delays(std::string_view text) {
  const auto ms = parse_seconds_or_duration_ms(text, "--fuzz");
  check(parse_seconds_or_duration_ms(std::to_string(ms) + "ms", "--fuzz") == ms);
}

void sizes(std::string_view text) {
  const auto bytes = parse_size_bytes(text, "--fuzz");
  check(parse_size_bytes(std::to_string(bytes), "--fuzz") == bytes);
  check(parse_size_bytes(std::to_string(bytes) + "B", "--fuzz") == bytes);
}

// Only digits are a count, and the count is those digits.
void counts(std::string_view text) {
  const auto n = parse_count(text, "--fuzz");
  check(without_leading_zeros(text) == std::to_string(n));
}

// One code per comma-separated piece, each 0..255.
void exit_codes(std::string_view text) {
  const auto items = pmctl::fuzz::split(text, '\n');
  const auto codes = parse_exit_codes(items, "--fuzz");
  std::size_t pieces = 0;
  for (const auto& item : items) pieces += pmctl::fuzz::split(item, ',').size();
  check(codes.size() == pieces);
  for (int code : codes) check(code >= 0 && code <= 255);
}

void assignments(std::string_view text) {
  const auto [key, value] = parse_assignment(text, "--fuzz");
  check(!key.empty() && key + "=" + value == text);
}

// Quoting each word again and splitting the result gives the same words.
void arguments(std::string_view text) {
  const auto args = split_args(text);
  std::string again;
  for (const auto& arg : args) {
    const char quote = arg.find('\'') == std::string::npos ? '\'' : '"';
    if (arg.find(quote) != std::string::npos) return;  // holds both quotes: cannot be re-quoted
    again += quote + arg + quote + ' ';
  }
  check(split_args(again) == args);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = pmctl::fuzz::as_text(data + 1, size - 1);
  try {
    switch (data[0] % 7) {
      case 0:
        durations(text);
        break;
      case 1:
        sizes(text);
        break;
      case 2:
        counts(text);
        break;
      case 3:
        exit_codes(text);
        break;
      case 4:
        assignments(text);
        break;
      case 5:
        delays(text);
        break;
      default:
        arguments(text);
        break;
    }
  } catch (const pmctl::core::Error&) {
  }
  return 0;
}
