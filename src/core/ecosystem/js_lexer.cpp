#include "core/ecosystem/js_lexer.hpp"

#include <cstdio>

#include "core/base/utf8.hpp"
#include "core/types/error.hpp"

namespace pmctl::core::js {
namespace {

constexpr std::string_view kHint =
    "PM2 reads .json ecosystem files as a JavaScript object literal: comments, unquoted keys, "
    "single quotes and trailing commas are fine, expressions and functions are not";

// JavaScript whitespace beyond ASCII that editors leave in files: no-break space and the byte
// order mark.
constexpr std::string_view kNoBreakSpace = "\xC2\xA0";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kLineSeparator = "\xE2\x80\xA8";
constexpr std::string_view kParagraphSeparator = "\xE2\x80\xA9";

}  // namespace

bool Cursor::consume(char c) {
  if (at_end() || text_[pos_] != c) return false;
  ++pos_;
  return true;
}

std::size_t Cursor::line_terminator_length() const {
  const std::string_view rest = text_.substr(pos_);
  if (rest.starts_with("\r\n")) return 2;
  if (rest.starts_with('\n') || rest.starts_with('\r')) return 1;
  if (rest.starts_with(kLineSeparator) || rest.starts_with(kParagraphSeparator)) return 3;
  return 0;
}

std::size_t Cursor::whitespace_length() const {
  const std::string_view rest = text_.substr(pos_);
  if (rest.empty()) return 0;
  switch (rest[0]) {
    case ' ':
    case '\t':
    case '\v':
    case '\f':
      return 1;
  }
  if (rest.starts_with(kNoBreakSpace)) return kNoBreakSpace.size();
  if (rest.starts_with(kByteOrderMark)) return kByteOrderMark.size();
  return line_terminator_length();
}

void Cursor::skip_block_comment() {
  const std::size_t start = pos_;
  const std::size_t end = text_.find("*/", pos_ + 2);
  if (end == std::string_view::npos) fail_at(start, "unterminated /* comment");
  pos_ = end + 2;
}

void Cursor::skip_space() {
  for (;;) {
    if (const std::size_t n = whitespace_length(); n > 0) {
      pos_ += n;
    } else if (peek() == '/' && peek(1) == '/') {
      while (!at_end() && line_terminator_length() == 0) ++pos_;
    } else if (peek() == '/' && peek(1) == '*') {
      skip_block_comment();
    } else {
      return;
    }
  }
}

std::string Cursor::describe_here() const {
  if (at_end()) return "end of input";
  if (line_terminator_length() > 0) return "end of line";
  const auto c = static_cast<unsigned char>(text_[pos_]);
  if (c < 0x20 || c == 0x7F) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
    return buf;
  }
  // One whole character: the text is valid UTF-8, so a lead byte's continuation bytes follow.
  std::size_t length = 1;
  while (c >= 0x80 && pos_ + length < text_.size() && (text_[pos_ + length] & 0xC0) == 0x80)
    ++length;
  std::string quoted = "'";
  quoted.append(text_.substr(pos_, length));
  quoted += '\'';
  return quoted;
}

void Cursor::fail(std::string_view expected) const {
  fail_at(pos_, "expected " + std::string(expected) + ", found " + describe_here());
}

void Cursor::fail_at(std::size_t at, std::string_view message) const {
  throw Error(std::string(origin_) + ":" + line_column(text_, at) + ": " + std::string(message),
              std::string(kHint));
}

}  // namespace pmctl::core::js
