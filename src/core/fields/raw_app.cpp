#include "core/fields/raw_app.hpp"

#include "core/fields/field_table.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

struct KeyTarget {
  std::string_view field;
  int rank;
};

// Every spelling PM2 accepts for each field. A camelCase form is looked up after the written
// aliases, so that `script` beats `cmd` beats `execInterpreter`-style keys.
const std::map<std::string, KeyTarget, std::less<>>& key_index() {
  static const auto index = [] {
    std::map<std::string, KeyTarget, std::less<>> out;
    for (const auto& spec : field_table()) {
      std::vector<std::string_view> names = {spec.name};
      names.insert(names.end(), spec.aliases.begin(), spec.aliases.end());
      int rank = 0;
      for (auto name : names) out.emplace(std::string(name), KeyTarget{spec.name, rank++});
      for (auto name : names) out.emplace(camel_case(name), KeyTarget{spec.name, rank++});
    }
    return out;
  }();
  return index;
}

constexpr std::string_view kEnvPrefix = "env_";

}  // namespace

// Invalid UTF-8 in a value must not turn an error message into a second exception.
std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

RawApp::RawApp(const nlohmann::json& app, std::string file, std::string label)
    : file_(std::move(file)), label_(std::move(label)) {
  if (!app.is_object())
    throw Error(where() + " must be an object, got " + json_text(app),
                "write each app as { \"name\": ..., \"script\": ... }");
  for (const auto& [key, value] : app.items()) add_key(key, value);
}

void RawApp::add_key(const std::string& key, const nlohmann::json& value) {
  if (key.starts_with(kEnvPrefix) && key.size() > kEnvPrefix.size()) {
    env_sections_.emplace(key.substr(kEnvPrefix.size()), &value);
    return;
  }
  const auto& index = key_index();
  const auto target = index.find(key);
  if (target == index.end()) {
    warn("unknown field '" + key + "', ignoring");
    return;
  }
  const auto [field, rank] = target->second;
  auto [it, inserted] = fields_.try_emplace(std::string(field), Entry{key, &value, rank});
  if (inserted) return;
  // PM2 takes the canonical key first, then its aliases; the other spellings are dropped.
  Entry& kept = it->second;
  std::string dropped = key;
  if (rank < kept.rank) {
    dropped = kept.key;
    kept = Entry{key, &value, rank};
  }
  warn("field '" + dropped + "' is also given as '" + kept.key + "', ignoring '" + dropped + "'");
}

const nlohmann::json* RawApp::find(std::string_view name) const {
  const auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : it->second.value;
}

std::string RawApp::key(std::string_view name) const {
  const auto it = fields_.find(name);
  return it == fields_.end() ? std::string(name) : it->second.key;
}

const nlohmann::json* RawApp::env_section(std::string_view env_name) const {
  const auto it = env_sections_.find(env_name);
  return it == env_sections_.end() ? nullptr : it->second;
}

std::string RawApp::where() const { return file_ + ": app " + label_; }

void RawApp::fail_type(std::string_view name, std::string_view expected, std::string hint) const {
  const nlohmann::json* value = find(name);
  const std::string got = value ? json_text(*value) : "nothing";
  throw Error(
      where() + ": field '" + key(name) + "' must be " + std::string(expected) + ", got " + got,
      std::move(hint));
}

void RawApp::fail(std::string_view name, std::string_view problem, std::string hint) const {
  throw Error(where() + ": field '" + key(name) + "': " + std::string(problem), std::move(hint));
}

void RawApp::warn(std::string_view text) {
  warnings_.push_back(where() + ": " + std::string(text));
}

}  // namespace pmctl::core
