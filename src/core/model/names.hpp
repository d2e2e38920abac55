#pragma once
// The rules app names and namespaces share. Both are words a selector (`pmctl stop WORD`)
// matches and `ls` prints in a table cell, so both are short printable words that cannot be
// read as something else: not `all`, not a number (a number selects an id).

#include <cstddef>
#include <string>
#include <string_view>

namespace pmctl::core {

inline constexpr std::size_t kMaxNameLength = 100;

/// Why `word` cannot be an app name or a namespace, or "" when it can: it is empty, longer than
/// kMaxNameLength, has a character outside [A-Za-z0-9_.@:+-], starts with `-` or `.`, contains
/// `..`, is the reserved word `all`, or is digits only.
std::string name_problem(std::string_view word);

/// Throws core::Error "invalid namespace '<ns>': <problem>" when name_problem finds one.
void validate_namespace(std::string_view ns);

/// `s` with each control character (and DEL) written as \xNN, so that it stays on one line.
std::string printable(std::string_view s);

}  // namespace pmctl::core
