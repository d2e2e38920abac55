#include "core/model/selectors.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <optional>
#include <regex>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

constexpr std::string_view kListHint = "see 'pmctl ls' for the registered apps";

using Match = std::function<bool(const AppRecord&)>;

std::vector<int> ids_where(const RegistryData& reg, const Match& match) {
  std::vector<int> ids;
  for (const auto& app : reg.apps) {
    if (match(app)) ids.push_back(app.id);
  }
  return ids;
}

bool is_number(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_regex(std::string_view s) { return s.size() > 2 && s.front() == '/' && s.back() == '/'; }

std::optional<int> to_id(std::string_view s) {
  int id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return id;
}

[[noreturn]] void no_app_with_id(std::string_view digits) {
  throw Error("no app with id " + std::string(digits), std::string(kListHint));
}

std::vector<int> all_ids(const RegistryData& reg) {
  if (reg.apps.empty()) throw Error("no apps registered", "start one with 'pmctl start app.js'");
  return ids_where(reg, [](const AppRecord&) { return true; });
}

// Unlike PM2, slashes inside the pattern are kept: PM2 strips them all, which changes `\/`.
std::vector<int> regex_ids(const RegistryData& reg, std::string_view target) {
  std::string pattern(target.substr(1, target.size() - 2));
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw Error("invalid regular expression '" + std::string(target) + "': " + e.what(),
                "write an ECMAScript regular expression between slashes, e.g. /^api-/");
  }
  auto ids = ids_where(reg, [&](const AppRecord& a) { return std::regex_search(a.decl.name, re); });
  if (ids.empty()) {
    throw Error("no app name matches '" + std::string(target) + "'", std::string(kListHint));
  }
  return ids;
}

std::vector<int> namespace_ids(const RegistryData& reg, std::string_view ns) {
  return ids_where(reg, [&](const AppRecord& a) { return a.decl.ns == ns; });
}

// PM2 matches a word against names and against the script path it resolves to (`stop app.js`).
std::vector<int> word_ids(const RegistryData& reg, std::string_view word, std::string_view cwd) {
  std::string script =
      (std::filesystem::path(cwd) / std::filesystem::path(word)).lexically_normal().string();
  auto ids = ids_where(reg, [&](const AppRecord& a) {
    return a.decl.name == word || (!a.decl.command_string && a.decl.script == script);
  });
  if (ids.empty()) ids = namespace_ids(reg, word);
  if (ids.empty()) {
    throw Error("no app or namespace named '" + std::string(word) + "'", std::string(kListHint));
  }
  return ids;
}

// PM2 lets apps be named "455", so a number is a name first, then a namespace, then an id.
std::vector<int> number_ids(const RegistryData& reg, std::string_view digits) {
  auto ids = ids_where(reg, [&](const AppRecord& a) { return a.decl.name == digits; });
  if (ids.empty()) ids = namespace_ids(reg, digits);
  if (!ids.empty()) return ids;
  auto id = to_id(digits);
  if (!id) no_app_with_id(digits);
  ids = ids_where(reg, [&](const AppRecord& a) { return a.id == *id; });
  if (ids.empty()) no_app_with_id(digits);
  return ids;
}

std::vector<int> target_ids(const RegistryData& reg, std::string_view target,
                            std::string_view cwd) {
  if (target == "all") return all_ids(reg);
  if (is_regex(target)) return regex_ids(reg, target);
  if (is_number(target)) return number_ids(reg, target);
  return word_ids(reg, target, cwd);
}

void append_new(std::vector<int>& out, const std::vector<int>& ids) {
  for (int id : ids) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}

}  // namespace

std::vector<int> resolve_targets(const RegistryData& reg, const std::vector<std::string>& targets,
                                 std::string_view cwd) {
  std::vector<int> result;
  for (const auto& target : targets) append_new(result, target_ids(reg, target, cwd));
  return result;
}

std::vector<int> resolve_exact(const RegistryData& reg, std::string_view target) {
  std::optional<int> id = is_number(target) ? to_id(target) : std::nullopt;
  auto ids =
      ids_where(reg, [&](const AppRecord& a) { return a.decl.name == target || a.id == id; });
  if (!ids.empty()) return ids;
  if (is_number(target)) no_app_with_id(target);
  throw Error("no app named '" + std::string(target) + "'", std::string(kListHint));
}

}  // namespace pmctl::core
