#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace pmctl::core {

/// How deep objects, arrays and parentheses may nest in an ecosystem file.
inline constexpr int kMaxNesting = 200;

/// Parses the text of a `.json` ecosystem file the way PM2 reads it: as a JavaScript expression,
/// so comments, unquoted keys, single quotes, JS string escapes, trailing commas, hex and
/// `.5`/`5.` numbers and wrapping parentheses are all accepted. Duplicate keys: the last wins.
/// Throws core::Error "<origin>:<line>:<column>: expected …" on anything else, including
/// Infinity, NaN, undefined and text after the value.
nlohmann::json parse_json5(std::string_view text, std::string_view origin);

/// The JSON value JavaScript's JSON.stringify gives for a finite number: an integer when it has
/// no fraction and fits in ±2^53 (so 5.0, 1e3 and -0 read as 5, 1000 and 0), else a double.
nlohmann::json js_number(double value);

}  // namespace pmctl::core
