#pragma once
// PM2's app options on restart, reload and the smart start of a registered app
// (`pmctl restart api --node-args=--harmony`): the options given on that command line replace
// the app's declared values, and the app restarts with them (PM2's _handleAttributeUpdate).

#include <CLI/CLI.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "core/model/app.hpp"

namespace pmctl::cli {

/// The app options restart and reload take, as typed. Only the ones given apply.
struct AppOverrides {
  std::string cron;
  std::string name, ns, interpreter_args, max_memory, restart_delay, exp_backoff, max_restarts,
      min_uptime, kill_timeout, listen_timeout, date_format;
  std::vector<std::string> stop_exit_codes, setenv;
  bool no_autorestart = false, time = false, watch = false;
  std::optional<std::vector<std::string>> args;  ///< After a bare `--`: the script's arguments.
  std::set<std::string> given;                   ///< Long names of the options on the line.

  bool any() const { return !given.empty() || args.has_value(); }
  bool has(const std::string& option) const { return given.count(option) > 0; }
};

/// Adds the options to a verb (restart, reload).
void add_app_overrides(CLI::App& cmd, AppOverrides& o);
/// Fills `o.given` from what CLI11 parsed (call in the verb's callback).
void collect_given(const CLI::App& cmd, AppOverrides& o);

/// The given restart options applied to `p` (--no-autorestart, --restart-delay, ...).
void apply_policy(const AppOverrides& o, core::RestartPolicy& p);

/// `decl` with the given options applied. Throws core::Error (exit 2) for a value that does not
/// parse. "null" as --node-args clears them, as PM2's `--node-args=null` deletes the field.
core::AppDecl apply_overrides(const AppOverrides& o, core::AppDecl decl);

/// The apps' declarations with the options applied, checked by core (check_redeclare).
std::map<int, core::AppDecl> redeclared(Context& ctx, const std::vector<int>& ids,
                                        const AppOverrides& o);

}  // namespace pmctl::cli
