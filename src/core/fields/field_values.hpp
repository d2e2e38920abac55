#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fields/raw_app.hpp"

namespace pmctl::core {

// Typed reads of one field with PM2's coercions: a number may be written as a numeric string,
// and a string is split into words (honouring quotes) where a list is expected. Each returns
// nothing when the field is absent and throws core::Error naming the file, app and key when the
// value has the wrong type.

std::optional<std::string> read_string(const RawApp& app, std::string_view name);
std::optional<bool> read_bool(const RawApp& app, std::string_view name);
/// A non-negative whole number, or such a number as a string.
std::optional<std::uint64_t> read_count(const RawApp& app, std::string_view name);
/// Milliseconds: a number, or a string like "1600", "2s", "1.5m" (parse_duration_ms).
std::optional<std::uint64_t> read_duration_ms(const RawApp& app, std::string_view name);
/// Bytes: a number, or a string like "200M", "1G" (parse_size_bytes, 1024-based like PM2).
std::optional<std::uint64_t> read_size_bytes(const RawApp& app, std::string_view name);
/// A string (split into words like a shell, without expansions) or an array of strings and
/// numbers.
std::optional<std::vector<std::string>> read_list(const RawApp& app, std::string_view name);
/// A user or group: a name, or a non-negative number given as a number or a string.
std::optional<std::string> read_user_or_group(const RawApp& app, std::string_view name);

/// JavaScript's truthiness, which PM2 applies to switches such as `watch` and `cron_restart`:
/// false, 0, "", null are off; anything else (even [] and {}) is on.
bool js_truthy(const nlohmann::json& value);

/// An environment value as the app will see it: strings as they are, numbers and booleans as
/// JavaScript prints them, objects and arrays as JSON text (PM2 JSON-stringifies them).
std::string env_text(const nlohmann::json& value);

}  // namespace pmctl::core
