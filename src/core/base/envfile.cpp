#include "core/base/envfile.hpp"

#include <cstddef>

#include "core/base/utf8.hpp"

namespace pmctl::core {
namespace {

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// systemd's unichar_is_valid(): beyond the Unicode range, UTF-16 surrogates and noncharacters
// (U+FDD0..U+FDEF, U+xxFFFE/U+xxFFFF) are all refused.
bool is_valid_code_point(char32_t c) {
  if (c >= 0x110000) return false;
  if ((c & 0xFFFFF800) == 0xD800) return false;
  if (c >= 0xFDD0 && c <= 0xFDEF) return false;
  return (c & 0xFFFE) != 0xFFFE;
}

// Length of the valid UTF-8 sequence at the start of `s` by systemd's rules (utf8_is_valid):
// well-formed, no NUL, no noncharacter; 0 if it is not valid.
std::size_t valid_sequence_length(std::string_view s) {
  std::size_t length = 0;
  const char32_t c = decode_utf8(s, length);
  if (c == 0 || !is_valid_code_point(c)) return 0;
  return length;
}

// One value in systemd 252's EnvironmentFile= syntax (parse_env_file_internal(),
// src/basic/env-file.c). After `NAME=` the parser is in PRE_VALUE, where a `'` opens a
// single-quoted run that keeps every byte (`"`, `\`, `$`, `#`, `=`, spaces, newlines) until the
// next `'`, and then returns to PRE_VALUE. So consecutive quoted runs concatenate: `'a''b'` is
// `ab`, and `"'"` there is a lone single quote. The shell idiom `'a'\''b'` does NOT work: the
// backslash escape leaves the parser in the unquoted VALUE state, where the reopening `'` is a
// literal character, so `'a'\''b'` would load as `a''b'`. Hence each `'` becomes `'"'"'`. The
// test suite checks this against systemd 252's own parser when its library is installed.
void append_quoted(std::string& out, std::string_view value) {
  out += '\'';
  for (char c : value) {
    if (c == '\'')
      out += R"('"'"')";
    else
      out += c;
  }
  out += '\'';
}

}  // namespace

bool valid_env_name(std::string_view name) {
  if (name.empty() || is_ascii_digit(name[0])) return false;
  for (char c : name)
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_') return false;
  return true;
}

bool valid_env_value(std::string_view value) {
  while (!value.empty()) {
    const std::size_t length = valid_sequence_length(value);
    if (length == 0) return false;
    value.remove_prefix(length);
  }
  return true;
}

std::string render_environment_file(const std::map<std::string, std::string>& env) {
  std::string out;
  for (const auto& [name, value] : env) {
    if (!valid_env_name(name) || !valid_env_value(value)) continue;
    out += name;
    out += '=';
    append_quoted(out, value);
    out += '\n';
  }
  return out;
}

}  // namespace pmctl::core
