#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace pmctl::core {

/// Most values a YAML ecosystem file may expand to (aliases can multiply a small file).
inline constexpr std::size_t kMaxYamlValues = 100'000;

/// Parses a `.yml`/`.yaml` ecosystem file into JSON the way js-yaml (PM2's YAML reader) does
/// with its default schema: plain scalars null/~, true/false, integers (also 0x, 0o, 0b, `_`)
/// and floats become JSON null, booleans and numbers; quoted scalars stay strings; `<<` merge
/// keys are applied. Throws core::Error naming origin:line:column for a syntax error, a
/// duplicate key, a non-scalar key, an unknown tag, .inf/.nan, more than one document, nesting
/// deeper than kMaxNesting or more than kMaxYamlValues values.
nlohmann::json parse_yaml(std::string_view text, std::string_view origin);

}  // namespace pmctl::core
