#include "core/ecosystem/yaml_scalar.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "core/ecosystem/json5.hpp"

namespace pmctl::core {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digit_value(char c, int base) {
  int v = 99;
  if (c >= '0' && c <= '9') v = c - '0';
  if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
  if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
  return v < base ? v : -1;
}

// Digits in `base`, summed as a double like JavaScript's parseInt. js-yaml 4 allows no `_`.
std::optional<double> digits_value(std::string_view digits, int base) {
  if (digits.empty()) return std::nullopt;
  double value = 0;
  for (char c : digits) {
    const int d = digit_value(c, base);
    if (d < 0) return std::nullopt;
    value = value * base + d;
  }
  return value;
}

std::optional<double> integer_value(std::string_view text) {
  double sign = 1;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    if (text[0] == '-') sign = -1;
    text.remove_prefix(1);
  }
  std::optional<double> value;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o' || text[1] == 'b')) {
    const int base = text[1] == 'x' ? 16 : text[1] == 'o' ? 8 : 2;
    value = digits_value(text.substr(2), base);
  } else if (digits_value(text, 10)) {
    value = std::strtod(std::string(text).c_str(), nullptr);  // rounds as parseInt does
  }
  if (value) *value *= sign;
  return value;
}

// js-yaml 4's float pattern: [-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)? or
// \.[0-9]+([eE][-+]?[0-9]+)? (no sign before a leading dot).
bool is_float_text(std::string_view text) {
  std::size_t i = 0;
  auto skip_digits = [&] {
    const std::size_t from = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    return i - from;
  };
  if (!text.empty() && text[0] == '.') {
    ++i;
    if (skip_digits() == 0) return false;
  } else {
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) ++i;
    if (skip_digits() == 0) return false;
    if (i < text.size() && text[i] == '.') ++i, skip_digits();
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (skip_digits() == 0) return false;
  }
  return i == text.size();
}

bool is_special_float(std::string_view text) {
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return true;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  return text == ".inf" || text == ".Inf" || text == ".INF";
}

}  // namespace

PlainScalar resolve_plain_scalar(std::string_view text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return {nullptr};
  if (text == "true" || text == "True" || text == "TRUE") return {true};
  if (text == "false" || text == "False" || text == "FALSE") return {false};
  if (const auto value = integer_value(text); value && std::isfinite(*value))
    return {js_number(*value)};
  if (is_float_text(text)) {
    // Like js-yaml, a float too large for a double (1e999) stays a string.
    const double value = std::strtod(std::string(text).c_str(), nullptr);
    if (std::isfinite(value)) return {js_number(value)};
  }
  if (is_special_float(text)) return {nullptr, true};
  return {std::string(text)};
}

}  // namespace pmctl::core
