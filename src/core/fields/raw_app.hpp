#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

/// `value` as compact JSON text; invalid UTF-8 becomes U+FFFD instead of throwing.
std::string json_text(const nlohmann::json& value);

/// One ecosystem app object with PM2's aliases resolved: every key is either a field of
/// field_table() (under whichever alias or camelCase form it was written), an `env_<name>`
/// section, or unknown (a warning). Errors name the file, the app and the key as written.
class RawApp {
 public:
  /// Throws core::Error if `app` is not an object. `label` names the app until set_label().
  RawApp(const nlohmann::json& app, std::string file, std::string label);

  /// The value of field `name` (canonical name), or nullptr when absent.
  const nlohmann::json* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  /// The key the user wrote for field `name` (e.g. "maxRestarts"), or `name` itself.
  std::string key(std::string_view name) const;
  /// The `env_<name>` section for `env_name`, or nullptr.
  const nlohmann::json* env_section(std::string_view env_name) const;

  /// "<file>: app '<label>'"
  std::string where() const;
  void set_label(std::string label) { label_ = std::move(label); }

  /// Throws "<where>: field '<key>' must be <expected>, got <value>".
  [[noreturn]] void fail_type(std::string_view name, std::string_view expected,
                              std::string hint = {}) const;
  /// Throws "<where>: field '<key>': <problem>".
  [[noreturn]] void fail(std::string_view name, std::string_view problem,
                         std::string hint = {}) const;
  /// Adds "<where>: <text>" to the warnings.
  void warn(std::string_view text);
  std::vector<std::string> take_warnings() { return std::move(warnings_); }

 private:
  struct Entry {
    std::string key;
    const nlohmann::json* value;
    int rank;  ///< 0 = canonical name, then aliases in table order, then camelCase forms.
  };
  void add_key(const std::string& key, const nlohmann::json& value);

  std::string file_;
  std::string label_;
  std::map<std::string, Entry, std::less<>> fields_;
  std::map<std::string, const nlohmann::json*, std::less<>> env_sections_;
  std::vector<std::string> warnings_;
};

}  // namespace pmctl::core
