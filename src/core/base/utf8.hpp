#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pmctl::core {

/// Decodes the well-formed UTF-8 sequence at the start of `s` (not empty): sets `length` to its
/// byte count and returns the code point; `length` is 0 for a truncated or overlong sequence, a
/// UTF-16 surrogate, or a value beyond U+10FFFF.
char32_t decode_utf8(std::string_view s, std::size_t& length);

/// Offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
/// (truncated, overlong, a UTF-16 surrogate, beyond U+10FFFF), or npos if the text is valid.
/// NUL and noncharacters are valid here: this is about what a JSON string can carry.
std::size_t utf8_error_offset(std::string_view text);

/// Appends `code_point` (at most U+10FFFF, not a surrogate) encoded as UTF-8.
void append_utf8(std::string& out, char32_t code_point);

/// Columns `text` takes on a terminal: wcwidth() of each code point as in a UTF-8 locale (2 for
/// CJK and most emoji, 0 for combining marks and control characters); ANSI colour escapes
/// (ESC [ ... m) take none, and a byte that is not UTF-8 takes one (the terminal shows U+FFFD).
std::size_t display_width(std::string_view text);

/// The longest start of `text` that takes at most `columns` columns, cut between code points
/// (combining marks stay with the character before them).
std::string_view truncate_to_width(std::string_view text, std::size_t columns);

/// "<line>:<column>" of byte `offset` in `text`, both from 1; columns count characters, and
/// LF, CRLF and a lone CR each end a line.
std::string line_column(std::string_view text, std::size_t offset);

}  // namespace pmctl::core
