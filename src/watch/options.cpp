#include "watch/options.hpp"

#include "core/text/format.hpp"

namespace pmctl::watch {
namespace {

/// "/srv/app/" and "/srv/app" are one path; "/" stays.
std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool is_value_option(const std::string& a) {
  for (const char* known : {"--pmctl", "--name", "--action", "--path", "--ignore", "--delay-ms"})
    if (a == known) return true;
  return false;
}

/// Takes the value of option `a` into `o`; false if `v` is not a value of it.
bool take(Options& o, const std::string& a, const std::string& v) {
  if (a == "--pmctl" && v.starts_with("/")) {
    o.pmctl = v;
  } else if (a == "--name" && !v.empty()) {
    o.name = v;
  } else if (a == "--action" && (v == "restart" || v == "reload")) {
    o.action = v;
  } else if (a == "--path" && v.starts_with("/")) {
    o.paths.push_back(without_trailing_slashes(v));
  } else if (a == "--ignore" && !v.empty()) {
    o.ignores.push_back(v);
  } else if (a == "--delay-ms" && core::parse_decimal(v)) {
    o.delay_ms = *core::parse_decimal(v);
  } else {
    return false;
  }
  return true;
}

}  // namespace

const char* const kUsage =
    "usage: pmctl-watch --pmctl PATH --name APP --action restart|reload [--user] --path P "
    "[--path P ...] [--ignore PATTERN ...] [--delay-ms N] [--follow-symlinks]";

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& why) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--user" || a == "--follow-symlinks") {
      (a == "--user" ? o.user : o.follow_symlinks) = true;
      continue;
    }
    if (!a.starts_with("--")) {
      why = "unexpected argument '" + a + "'";
      return std::nullopt;
    }
    if (!is_value_option(a)) {
      why = "unknown option '" + a + "'";
      return std::nullopt;
    }
    if (i + 1 >= args.size()) {
      why = a + " needs a value";
      return std::nullopt;
    }
    const std::string& v = args[++i];
    if (!take(o, a, v)) {
      why = "bad option '" + a + " " + v + "'";
      return std::nullopt;
    }
  }
  if (o.pmctl.empty() || o.name.empty() || o.action.empty() || o.paths.empty()) {
    why = "--pmctl, --name, --action and --path are required";
    return std::nullopt;
  }
  return o;
}

}  // namespace pmctl::watch
