#include "core/fields/field_values.hpp"

#include <cmath>
#include <limits>

#include "core/fields/parse.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

constexpr const char* kCount = "a non-negative number";
constexpr const char* kDuration = "a duration in ms (1600) or with a unit (\"2s\", \"1m\")";
constexpr const char* kSize = "a size in bytes or with K, M, G (\"200M\")";

/// A JSON number that is a non-negative whole number.
std::optional<std::uint64_t> whole_number(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    const auto n = v.get<std::int64_t>();
    if (n >= 0) return static_cast<std::uint64_t>(n);
    return std::nullopt;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // 2^64 is exactly representable; anything at or above it does not fit.
    if (d >= 0 && d < 18446744073709551616.0 && std::floor(d) == d)
      return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

/// Reads a number or a string through `parse`; a parse error keeps its hint.
template <typename Parse>
std::optional<std::uint64_t> read_number(const RawApp& app, std::string_view name,
                                         const char* expected, Parse parse) {
  const nlohmann::json* v = app.find(name);
  if (!v) return std::nullopt;
  if (v->is_number()) {
    if (auto n = whole_number(*v)) return n;
    app.fail_type(name, expected);
  }
  if (!v->is_string()) app.fail_type(name, expected);
  try {
    return parse(v->get_ref<const std::string&>());
  } catch (const Error& e) {
    app.fail_type(name, expected, e.hint());
  }
}

}  // namespace

std::optional<std::string> read_string(const RawApp& app, std::string_view name) {
  const nlohmann::json* v = app.find(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) app.fail_type(name, "a string");
  return v->get<std::string>();
}

std::optional<bool> read_bool(const RawApp& app, std::string_view name) {
  const nlohmann::json* v = app.find(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) app.fail_type(name, "true or false");
  return v->get<bool>();
}

std::optional<std::uint64_t> read_count(const RawApp& app, std::string_view name) {
  return read_number(app, name, kCount,
                     [&](const std::string& s) { return parse_count(s, app.key(name)); });
}

std::optional<std::uint64_t> read_duration_ms(const RawApp& app, std::string_view name) {
  return read_number(app, name, kDuration,
                     [&](const std::string& s) { return parse_duration_ms(s, app.key(name)); });
}

std::optional<std::uint64_t> read_size_bytes(const RawApp& app, std::string_view name) {
  return read_number(app, name, kSize,
                     [&](const std::string& s) { return parse_size_bytes(s, app.key(name)); });
}

std::optional<std::vector<std::string>> read_list(const RawApp& app, std::string_view name) {
  const nlohmann::json* v = app.find(name);
  if (!v) return std::nullopt;
  constexpr const char* kList = "a string or an array of strings";
  if (v->is_string()) {
    try {
      return split_args(v->get_ref<const std::string&>());
    } catch (const Error& e) {
      app.fail(name, e.what(), e.hint());
    }
  }
  if (!v->is_array()) app.fail_type(name, kList);
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_number()) {
      out.push_back(env_text(item));
    } else {
      app.fail_type(name, kList);
    }
  }
  return out;
}

std::optional<std::string> read_user_or_group(const RawApp& app, std::string_view name) {
  const nlohmann::json* v = app.find(name);
  if (!v) return std::nullopt;
  constexpr const char* kId = "a name or a non-negative number";
  if (v->is_number()) {
    const auto n = whole_number(*v);
    if (!n || *n > std::numeric_limits<std::uint32_t>::max()) app.fail_type(name, kId);
    return std::to_string(*n);
  }
  if (!v->is_string() || v->get_ref<const std::string&>().empty()) app.fail_type(name, kId);
  return v->get<std::string>();
}

bool js_truthy(const nlohmann::json& value) {
  if (value.is_null()) return false;
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (value.is_string()) return !value.get_ref<const std::string&>().empty();
  return true;
}

std::string env_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return json_text(value);
}

}  // namespace pmctl::core
