#include "core/model/selectors.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <optional>
#include <regex>

#include "core/model/names.hpp"
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

std::string in_quotes(std::string_view s) { return "'" + printable(s) + "'"; }

// Names and namespaces of digits only are refused now; a registry from before may still have
// one, which a number no longer selects: the hint says which id it has.
[[noreturn]] void no_app_with_id(const RegistryData& reg, std::string_view digits) {
  for (const auto& a : reg.apps)
    if (a.decl.name == digits || a.decl.ns == digits)
      throw Error("no app with id " + std::string(digits), "a number selects an id; the app " +
                                                               in_quotes(a.decl.name) + " has id " +
                                                               std::to_string(a.id));
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
    throw Error("invalid regular expression " + in_quotes(target) + ": " + e.what(),
                "write an ECMAScript regular expression between slashes, e.g. /^api-/");
  }
  auto ids = ids_where(reg, [&](const AppRecord& a) { return std::regex_search(a.decl.name, re); });
  if (ids.empty()) throw Error("no app name matches " + in_quotes(target), std::string(kListHint));
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
  if (!ids.empty()) return ids;
  // A word that no app could be named, nor a namespace, and that is no script path either.
  const std::string problem = name_problem(word);
  if (!problem.empty() && word.find('/') == std::string_view::npos)
    throw Error("invalid app name or namespace " + in_quotes(word) + ": " + problem,
                std::string(kListHint));
  throw Error("no app or namespace named " + in_quotes(word), std::string(kListHint));
}

// A number is an id, as `pm2 stop 1` is: names and namespaces of digits only are refused.
std::vector<int> number_ids(const RegistryData& reg, std::string_view digits) {
  auto id = to_id(digits);
  if (!id) no_app_with_id(reg, digits);
  auto ids = ids_where(reg, [&](const AppRecord& a) { return a.id == *id; });
  if (ids.empty()) no_app_with_id(reg, digits);
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
  if (is_number(target)) return number_ids(reg, target);
  auto ids = ids_where(reg, [&](const AppRecord& a) { return a.decl.name == target; });
  if (!ids.empty()) return ids;
  throw Error("no app named " + in_quotes(target), std::string(kListHint));
}

}  // namespace pmctl::core
