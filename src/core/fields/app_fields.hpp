#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/model/app.hpp"

namespace pmctl::core {

/// Everything besides the app object that turning it into an AppDecl depends on. The CLI fills
/// it once per ecosystem file; nothing here reads the process's own environment.
struct FieldContext {
  std::string file;      ///< The file as the user named it; every message starts with it.
  std::string base_dir;  ///< Absolute directory of the file: the default cwd, and what a
                         ///< relative cwd resolves against (script and log paths resolve
                         ///< against the app's cwd).
  /// The caller's environment as a new app inherits it (cli::inherited_env without filters).
  std::map<std::string, std::string> caller_env;
  std::string path_env;                 ///< PATH to find scripts and interpreters in.
  std::optional<std::string> env_name;  ///< --env <name>: apply env_<name>.
  /// deploy.<env_name>.env of the file, already as text: the lowest-priority environment.
  std::map<std::string, std::string> deploy_env;
  /// The apps will run under the system manager as root: only then are uid/gid allowed.
  bool root = false;
  /// Where `log_file: true` puts `<name>.log` (e.g. /var/log/pmctl or the user's state
  /// directory); empty = the app's cwd.
  std::string log_dir;
  unsigned cpu_count = 0;  ///< For `instances: "max"` and 0; 0 = ask the system.
};

/// One app of an ecosystem file, ready for Lifecycle::start_new.
struct ConvertedApp {
  AppDecl decl;
  /// Non-fatal problems, each a full line "<file>: app '<name>': ..., ignoring".
  std::vector<std::string> warnings;
  /// PM2's instances, resolved ("max" and 0 = CPU count, -k = CPUs - k); decl.cluster too.
  int instances = 1;
  bool force = false;  ///< PM2's force: start another copy of a running name.
};

/// Converts one raw app object. Every field of PM2's reference is either honoured or refused;
/// unknown keys become warnings. Throws core::Error naming the file, the app and the field.
/// `index` (0-based) names an app that has no usable name yet ("app #2").
ConvertedApp app_from_json(const nlohmann::json& app, const FieldContext& ctx,
                           std::size_t index = 0);

/// Converts every app of one file before anything is started: the first bad app throws, and
/// two apps with the same name (after append_env_to_name) are an error.
std::vector<ConvertedApp> apps_from_json(const std::vector<nlohmann::json>& apps,
                                         const FieldContext& ctx);

}  // namespace pmctl::core
