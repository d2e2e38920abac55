#include "core/base/utf8.hpp"

#include <locale.h>
#include <wchar.h>

namespace pmctl::core {
namespace {

/// wcwidth() as C.UTF-8 says. pmctl runs in the "C" locale (strtod relies on it), which has no
/// width for anything beyond ASCII; C.UTF-8's LC_CTYPE is set on this thread only, from the first
/// non-ASCII character until this object goes (an ASCII-only table never loads the locale).
class Widths {
 public:
  Widths() = default;
  Widths(const Widths&) = delete;
  Widths& operator=(const Widths&) = delete;
  ~Widths() {
    if (previous_ != locale_t{}) uselocale(previous_);
  }

  /// Columns of `c` (U+00A0 or above); one where the C library has no C.UTF-8.
  std::size_t operator()(char32_t c) {
    if (previous_ == locale_t{}) {
      if (utf8() == locale_t{}) return 1;
      previous_ = uselocale(utf8());
    }
    const int width = wcwidth(static_cast<wchar_t>(c));
    return width < 0 ? 1 : static_cast<std::size_t>(width);  // unassigned: a replacement glyph
  }

 private:
  static locale_t utf8() {
    static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    return locale;
  }
  locale_t previous_{};
};

/// Columns of the escape, code point or stray byte at the start of `text` (not empty); sets
/// `length` to its byte count.
std::size_t unit_width(std::string_view text, Widths& widths, std::size_t& length) {
  if (text[0] == '\x1b') {  // ESC [ ... m
    const std::size_t end = text.find('m');
    length = end == std::string_view::npos ? text.size() : end + 1;
    return 0;
  }
  const char32_t c = decode_utf8(text, length);
  if (length == 0) {
    length = 1;
    return 1;
  }
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return 0;  // a control character draws nothing
  return c < 0x7F ? 1 : widths(c);
}

}  // namespace

char32_t decode_utf8(std::string_view s, std::size_t& length) {
  const auto lead = static_cast<unsigned char>(s[0]);
  length = 1;
  if (lead < 0x80) return lead;
  char32_t c = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, c = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, c = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, c = lead & 0x07, min = 0x10000;
  } else {
    return length = 0;
  }
  if (s.size() < length) return length = 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return length = 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) length = 0;
  return c;
}

std::size_t utf8_error_offset(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t length = 0;
    decode_utf8(text.substr(pos), length);
    if (length == 0) return pos;
    pos += length;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::size_t display_width(std::string_view text) {
  Widths widths;
  std::size_t width = 0;
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length)
    width += unit_width(text.substr(pos), widths, length);
  return width;
}

std::string_view truncate_to_width(std::string_view text, std::size_t columns) {
  Widths widths;
  std::size_t width = 0;
  for (std::size_t pos = 0, length = 0; pos < text.size(); pos += length) {
    width += unit_width(text.substr(pos), widths, length);
    if (width > columns) return text.substr(0, pos);
  }
  return text;
}

std::string line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80 && c != '\r') {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace pmctl::core
