#pragma once
// PM2's dump (~/.pm2/dump.pm2, what `pm2 save` writes) read as ecosystem apps, for
// `pmctl resurrect --from-pm2` (docs/migrating-from-pm2.md).

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/fields/app_fields.hpp"

namespace pmctl::core {

/// Larger dumps are refused before parsing (PM2 stores each process's whole environment).
inline constexpr std::size_t kMaxPm2DumpSize = 64 << 20;

/// The apps of a PM2 dump's text as ecosystem app objects, in the dump's order: the entries of
/// one name (a cluster's or a pool's instances) become one app with `instances`; PM2's runtime
/// bookkeeping and what PM2 put into the environment itself are dropped; PM2's default log and
/// pid files (under PM2_HOME) are left to the journal; an app PM2 kept stopped gets autostart
/// false. An empty list is no apps. Throws core::Error naming `path` for text that is not JSON,
/// not a list, or an entry that is not an object or has no pm_exec_path.
std::vector<nlohmann::json> pm2_dump_apps(std::string_view text, const std::string& path);

/// Reads the dump at `path` (at most kMaxPm2DumpSize) and converts every app with app_from_json
/// under `ctx` before anything starts. ctx.caller_env is not used: the dump holds each app's
/// whole environment. Interpreters and scripts are looked up in the app's own PATH first.
std::vector<ConvertedApp> load_pm2_dump(const std::string& path, const FieldContext& ctx);

}  // namespace pmctl::core
