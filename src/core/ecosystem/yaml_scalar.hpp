#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace pmctl::core {

struct PlainScalar {
  nlohmann::json value;
  /// .inf, -.inf or .nan: a float that JSON cannot hold (value is then null).
  bool infinite_or_nan = false;
};

/// What an unquoted YAML scalar means under js-yaml's default (YAML 1.2 core) schema: null for
/// "", ~, null/Null/NULL; booleans for true/True/TRUE/false/False/FALSE (not yes/no/on/off);
/// integers in decimal (a leading 0 is still decimal: 0755 is 755), 0x, 0o and 0b (lower-case
/// prefixes, no `_`); floats such as 1.5, 1., .5, 1e3, 2.5E-4 and .inf/.nan (flagged);
/// anything else, such as 1_000, -.5, 0X1F or 1e999, is the string itself.
PlainScalar resolve_plain_scalar(std::string_view text);

}  // namespace pmctl::core
