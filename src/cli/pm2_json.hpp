#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/context.hpp"
#include "core/lifecycle/lifecycle.hpp"

namespace pmctl::cli {

/// One element of PM2's `jlist` array: {pid, name, pm_id, monit{memory,cpu}, pm2_env{...}}, so
/// tools that parse PM2's jlist keep working. pmctl adds `unit` and `slice` to pm2_env.
nlohmann::json pm2_process_json(const core::AppView& view, const std::string& username);

/// "version" of the nearest package.json above the script, else "N/A" (PM2's version column).
std::string package_version(const core::AppDecl& decl);

/// The user the app runs as (pmctl starts units as the manager's user).
std::string app_user(const Context* = nullptr);

}  // namespace pmctl::cli
