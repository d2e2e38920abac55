#pragma once

// The lexical pieces of JavaScript that parse_json5 needs: a cursor over the source that skips
// whitespace and comments and reports errors at a line and column, and readers for string,
// number and identifier tokens. Internal to the ecosystem loaders.

#include <cstddef>
#include <string>
#include <string_view>

namespace pmctl::core::js {

class Cursor {
 public:
  Cursor(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {}

  bool at_end() const { return pos_ >= text_.size(); }
  /// The byte `ahead` bytes on, or '\0' past the end.
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  std::size_t pos() const { return pos_; }
  std::string_view slice(std::size_t from) const { return text_.substr(from, pos_ - from); }
  void advance(std::size_t n = 1) { pos_ += n; }
  bool consume(char c);
  /// Length of the line terminator (LF, CR, CRLF, U+2028, U+2029) at the cursor, or 0.
  std::size_t line_terminator_length() const;
  /// Skips whitespace, line terminators and comments.
  void skip_space();

  /// Throws "<origin>:<line>:<column>: expected <expected>, found <what is at the cursor>".
  [[noreturn]] void fail(std::string_view expected) const;
  /// Throws "<origin>:<line>:<column>: <message>" for the position `at`.
  [[noreturn]] void fail_at(std::size_t at, std::string_view message) const;

 private:
  std::size_t whitespace_length() const;
  void skip_block_comment();
  std::string describe_here() const;

  std::string_view text_;
  std::string_view origin_;
  std::size_t pos_ = 0;
};

bool is_identifier_start(char c);
bool is_identifier_part(char c);

/// Reads an ASCII identifier ([A-Za-z_$][A-Za-z0-9_$]*); empty if none starts at the cursor.
std::string read_identifier(Cursor& in);
/// Reads a single- or double-quoted string literal with JavaScript's escapes.
std::string read_string(Cursor& in);
/// Reads an unsigned numeric literal: decimal (with `.5`, `5.`, exponents) or 0x/0o/0b.
double read_number(Cursor& in);

}  // namespace pmctl::core::js
