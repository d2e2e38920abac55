#include "watch/ignore.hpp"

#include <fnmatch.h>

namespace pmctl::watch {
namespace {

/// Calls `f` with each "/"-separated component of `path` until it returns true.
template <typename F>
bool any_component(std::string_view path, F f) {
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (f(path.substr(0, slash))) return true;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return false;
}

/// `path` is `prefix` or under it.
bool is_at_or_under(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || prefix == "/" || path[prefix.size()] == '/';
}

bool pm2_default_ignores(std::string_view relative) {
  return any_component(relative, [](std::string_view c) {
    return c.starts_with('.') || c.find("node_modules") != std::string_view::npos;
  });
}

bool fnmatches(const std::string& pattern, std::string_view path) {
  return fnmatch(pattern.c_str(), std::string(path).c_str(), 0) == 0;
}

std::string_view last_component(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Ignore::Ignore(const std::vector<std::string>& patterns) : given_(patterns) {
  for (const auto& given : patterns) {
    Pattern p = parse(given);
    if (!p.text.empty()) patterns_.push_back(std::move(p));
  }
}

Ignore::Pattern Ignore::parse(std::string_view given) {
  while (given.starts_with("./")) given.remove_prefix(2);
  while (given.size() > 1 && given.ends_with('/') && !given.ends_with("\\/"))
    given.remove_suffix(1);
  Pattern p;
  p.absolute = given.starts_with('/');
  std::string literal;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const char c = given[i];
    if (c == '\\' && i + 1 < given.size()) {
      literal += given[++i];
    } else {
      if (c == '*' || c == '?' || c == '[') p.glob = true;
      literal += c;
    }
  }
  // fnmatch(3) takes the backslashes itself; a literal is compared without them.
  p.text = p.glob ? std::string(given) : literal;
  p.one_component = !p.glob && literal.find('/') == std::string::npos;
  return p;
}

bool Ignore::matches(const Pattern& p, std::string_view relative, std::string_view absolute) {
  if (p.absolute) return p.glob ? fnmatches(p.text, absolute) : is_at_or_under(absolute, p.text);
  if (p.glob) return fnmatches(p.text, relative) || fnmatches(p.text, last_component(relative));
  if (p.one_component)
    return any_component(relative, [&](std::string_view c) { return c == p.text; });
  return is_at_or_under(relative, p.text);
}

bool Ignore::ignores(std::string_view relative, std::string_view absolute) const {
  if (relative.empty()) return false;
  if (given_.empty()) return pm2_default_ignores(relative);
  for (const Pattern& p : patterns_)
    if (matches(p, relative, absolute)) return true;
  return false;
}

std::string Ignore::describe() const {
  if (given_.empty()) return "dotfiles and node_modules";
  std::string s;
  for (const auto& g : given_) s += (s.empty() ? "'" : ", '") + g + "'";
  return s;
}

}  // namespace pmctl::watch
