#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/lifecycle/lifecycle.hpp"
#include "core/state/command_lock.hpp"
#include "core/state/registry.hpp"
#include "core/types/manager.hpp"
#include "core/types/scope.hpp"

namespace pmctl::cli {

struct GlobalOptions {
  bool user = false;
  bool system = false;
  bool no_color = false;
  bool silent = false;  ///< PM2's -s: no [pmctl] lines, no table (errors still on stderr)
};

/// How `ls` (and the table other verbs print) shows the apps: PM2's --sort and -m.
struct ListStyle {
  std::string sort = "name";  ///< name, namespace, id, pid, cpu, memory, uptime, status
  bool descending = false;
  bool mini = false;  ///< one block per app
};

/// What every command shares: the global options, the words after `--`, and the registry,
/// manager connection and lifecycle, each made on first use (so `pmctl --help` touches nothing).
class Context {
 public:
  GlobalOptions options;
  ListStyle list_style;
  std::vector<std::string> script_args;  ///< Everything after a bare `--`.
  bool script_args_given = false;
  /// What pmctl exits with when the command returns normally (`dev` passes on the app's code).
  int exit_status = 0;

  core::Scope scope() const;
  core::Registry& registry();
  core::Manager& manager();
  core::Lifecycle& lifecycle();
  std::string cwd() const;
  /// Makes the rest of this command one transaction: waits for any other changing command
  /// (saying so after 1 s, giving up after PMCTL_LOCK_TIMEOUT) and holds the lock until exit.
  void begin_transaction(const std::string& command_line);
  /// Ends it early: what a command does after its changes (follow logs) holds no lock.
  void end_transaction() { transaction_.reset(); }

 private:
  std::unique_ptr<core::Registry> registry_;
  std::unique_ptr<core::Manager> manager_;
  std::unique_ptr<core::Lifecycle> lifecycle_;
  std::optional<core::CommandLock> transaction_;
};

/// `file` next to the running pmctl, or in `build_dir` beside pmctl's own directory (the build
/// tree), else in `installed_dir`, where `meson install` puts it. `mode` as access(2)'s.
std::string beside_pmctl(const std::string& file, const std::string& installed_dir, int mode,
                         const std::string& build_dir = "");

}  // namespace pmctl::cli
