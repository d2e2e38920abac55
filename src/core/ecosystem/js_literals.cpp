// String, number and identifier tokens of JavaScript, as far as ecosystem files use them.

#include <cmath>
#include <cstdlib>
#include <string>

#include "core/base/utf8.hpp"
#include "core/ecosystem/js_lexer.hpp"

namespace pmctl::core::js {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digit_value(char c, int base) {
  int v = 99;
  if (c >= '0' && c <= '9') v = c - '0';
  if (c >= 'a' && c <= 'z') v = c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') v = c - 'A' + 10;
  return v < base ? v : -1;
}

char32_t read_hex(Cursor& in, std::size_t count) {
  char32_t value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const int d = digit_value(in.peek(), 16);
    if (d < 0) in.fail("a hexadecimal digit");
    value = value * 16 + static_cast<char32_t>(d);
    in.advance();
  }
  return value;
}

// The code point of \uXXXX or \u{X…}; the cursor is after the 'u'.
char32_t read_unicode_escape(Cursor& in) {
  if (!in.consume('{')) return read_hex(in, 4);
  const std::size_t start = in.pos();
  char32_t value = 0;
  std::size_t digits = 0;
  for (; in.peek() != '}'; ++digits) {
    value = value * 16 + read_hex(in, 1);
    if (value > 0x10FFFF) in.fail_at(start, "\\u{…} escape beyond U+10FFFF");
  }
  if (digits == 0) in.fail("a hexadecimal digit");
  in.advance();
  return value;
}

// A \u escape, joining a UTF-16 surrogate pair written as two escapes into one code point. A
// lone surrogate has no UTF-8 form, so it is refused.
char32_t read_code_point(Cursor& in, std::size_t escape_start) {
  const char32_t first = read_unicode_escape(in);
  if (first < 0xD800 || first > 0xDFFF) return first;
  if (first <= 0xDBFF && in.peek() == '\\' && in.peek(1) == 'u') {
    in.advance(2);
    const char32_t second = read_unicode_escape(in);
    if (second >= 0xDC00 && second <= 0xDFFF)
      return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }
  in.fail_at(escape_start, "lone UTF-16 surrogate in a \\u escape (it has no UTF-8 form)");
}

void read_escape(Cursor& in, std::string& out) {
  const std::size_t start = in.pos();
  in.advance();  // the backslash
  if (const std::size_t n = in.line_terminator_length(); n > 0) {
    in.advance(n);  // a line continuation adds nothing
    return;
  }
  const char c = in.peek();
  if (in.at_end()) in.fail("an escaped character");
  in.advance();
  switch (c) {
    case 'n':
      out += '\n';
      return;
    case 't':
      out += '\t';
      return;
    case 'r':
      out += '\r';
      return;
    case 'b':
      out += '\b';
      return;
    case 'f':
      out += '\f';
      return;
    case 'v':
      out += '\v';
      return;
    case 'x':
      append_utf8(out, read_hex(in, 2));
      return;
    case 'u':
      append_utf8(out, read_code_point(in, start));
      return;
    case '0':
      if (!is_digit(in.peek())) {
        out += '\0';
        return;
      }
      break;
    default:
      if (!is_digit(c)) {
        out += c;  // JavaScript's identity escape: \' \" \\ \/ and any other character
        return;
      }
  }
  in.fail_at(start, "octal escapes such as \\1 are not allowed; use \\x or \\u");
}

// Digits of a 0x/0o/0b literal; the cursor is after the prefix. Summed as a double, like
// JavaScript, so that huge values lose precision instead of wrapping.
double read_radix_digits(Cursor& in, int base, std::string_view expected) {
  if (digit_value(in.peek(), base) < 0) in.fail(expected);
  double value = 0;
  for (int d; (d = digit_value(in.peek(), base)) >= 0; in.advance()) value = value * base + d;
  return value;
}

void skip_digits(Cursor& in) {
  while (is_digit(in.peek())) in.advance();
}

double read_decimal(Cursor& in) {
  const std::size_t start = in.pos();
  if (in.peek() == '0' && is_digit(in.peek(1)))
    in.fail_at(start, "numbers cannot start with 0 (JavaScript reads 010 as octal 8)");
  const bool integer_digits = is_digit(in.peek());
  skip_digits(in);
  if (in.consume('.')) {
    if (!integer_digits && !is_digit(in.peek())) in.fail("a digit");
    skip_digits(in);
  } else if (!integer_digits) {
    in.fail("a number");
  }
  if (in.peek() == 'e' || in.peek() == 'E') {
    in.advance();
    if (in.peek() == '+' || in.peek() == '-') in.advance();
    if (!is_digit(in.peek())) in.fail("a digit in the exponent");
    skip_digits(in);
  }
  // The literal was checked above, so strtod (in the "C" locale pmctl runs in) reads all of it.
  const double value = std::strtod(std::string(in.slice(start)).c_str(), nullptr);
  if (std::isinf(value)) in.fail_at(start, "number out of range");
  return value;
}

}  // namespace

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

bool is_identifier_part(char c) { return is_identifier_start(c) || is_digit(c); }

std::string read_identifier(Cursor& in) {
  const std::size_t start = in.pos();
  if (!is_identifier_start(in.peek())) return {};
  while (is_identifier_part(in.peek())) in.advance();
  return std::string(in.slice(start));
}

std::string read_string(Cursor& in) {
  const std::size_t start = in.pos();
  const char quote = in.peek();
  in.advance();
  std::string out;
  while (!in.consume(quote)) {
    if (in.at_end() || (in.line_terminator_length() > 0 && in.peek() != '\xE2'))
      in.fail_at(start, "unterminated string (a line break inside quotes needs \\n)");
    if (in.peek() == '\\') {
      read_escape(in, out);
    } else {
      out += in.peek();
      in.advance();
    }
  }
  return out;
}

double read_number(Cursor& in) {
  double value = 0;
  const char prefix = static_cast<char>(in.peek(1) | 0x20);
  if (in.peek() == '0' && (prefix == 'x' || prefix == 'o' || prefix == 'b')) {
    in.advance(2);
    if (prefix == 'x') value = read_radix_digits(in, 16, "a hexadecimal digit");
    if (prefix == 'o') value = read_radix_digits(in, 8, "an octal digit");
    if (prefix == 'b') value = read_radix_digits(in, 2, "a binary digit");
  } else {
    value = read_decimal(in);
  }
  if (is_identifier_part(in.peek()) || in.peek() == '.') in.fail("a number to end");
  if (std::isinf(value)) in.fail("a smaller number");
  return value;
}

}  // namespace pmctl::core::js
