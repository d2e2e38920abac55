#pragma once

#include <string>

#include "cli/context.hpp"

namespace pmctl::cli {

/// What a command does to the apps an ecosystem file declares.
enum class FileAction {
  Start,   ///< start, startOrRestart, restart <file>: registered apps restart, others start
  Reload,  ///< reload, startOrReload, startOrGracefulReload <file>: the same with reload
  Stop,    ///< stop <file>: the registered apps of the file stop
  Delete,  ///< delete <file>: the registered apps of the file are removed
};

struct FileOptions {
  std::string env_name;  ///< --env <name>: env_<name> (and deploy.<name>.env) apply
  std::string only;      ///< --only a,b: just these apps of the file
  bool force = false;    ///< -f: start another copy of a running name
};

/// PM2 reads `-` as an ecosystem in JSON on stdin, and a name containing .json, .yml, .yaml,
/// .config.js/.cjs/.mjs as an ecosystem file.
bool names_ecosystem(const std::string& target);

/// Loads and validates every app of the file first (nothing changes when any app is wrong),
/// then acts. Starting is all-or-nothing too: when one app fails to start, the apps this
/// command registered are removed again.
void run_file_action(FileAction action, const std::string& file, const FileOptions& options,
                     Context& ctx);

}  // namespace pmctl::cli
