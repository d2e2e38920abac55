#pragma once

#include <CLI/CLI.hpp>
#include <set>
#include <string>

#include "core/model/app.hpp"
#include "core/types/scope.hpp"

namespace pmctl::cli {

/// PM2's other `start` flags, as typed: the ones pmctl honours, the ones it accepts because they
/// change nothing here, and the ones it refuses with a reason (never silently ignored).
struct Pm2Flags {
  std::string instances, max_memory, uid, gid, port, cron, listen_timeout;
  std::string instance_endpoint, lb_policy, lb;  ///< pmctl's own cluster-mode flags
  std::string instance_var, watch_delay;
  std::vector<std::string> ignore_watch, watch_paths;
  bool no_autostart = false, no_treekill = false, no_vizion = false;
  bool wait_ready = false, shutdown_with_message = false, no_shim = false;
  bool source_map_support = false, disable_source_map_support = false;
  bool no_op = false;  ///< any flag that PM2 has and pmctl does not need
};

void add_pm2_flags(CLI::App& cmd, Pm2Flags& f);

/// Applies the honoured flags to `decl` and throws core::Error for a refused one. `given` holds
/// the long names of the options on the command line. Call it once decl.env is complete: in
/// cluster mode the public port comes from --port, else the app's PORT.
void apply_pm2_flags(const Pm2Flags& f, const std::set<std::string>& given, core::Scope scope,
                     core::AppDecl& decl);

}  // namespace pmctl::cli
