#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/app_record.hpp"

namespace pmctl::cli {

/// The environment a new app inherits, as PM2 does: the caller's whole environment, minus
/// variables whose name contains one of `filters` (PM2's --filter-env), minus the variables
/// systemd sets itself for a service (they would otherwise override the real ones), with PWD
/// set to the app's working directory.
std::map<std::string, std::string> inherited_env(char** environ_block,
                                                 const std::vector<std::string>& filters,
                                                 const std::string& cwd);

/// Whether systemd sets `name` for every service itself (INVOCATION_ID, NOTIFY_SOCKET, ...), or
/// it means something only to the calling shell (OLDPWD, _): a new app never inherits it.
bool set_by_systemd(std::string_view name);

/// What the app's process gets: its declared environment and the variables pmctl adds (pm_id,
/// name, namespace, the instance variable, ...), as `pmctl env` prints it and jlist's
/// pm2_env.env holds it.
std::map<std::string, std::string> process_env(const core::AppRecord& rec);

}  // namespace pmctl::cli
