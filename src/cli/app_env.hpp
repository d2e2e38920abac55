#pragma once

#include <map>
#include <string>
#include <vector>

namespace pmctl::cli {

/// The environment a new app inherits, as PM2 does: the caller's whole environment, minus
/// variables whose name contains one of `filters` (PM2's --filter-env), minus the variables
/// systemd sets itself for a service (they would otherwise override the real ones), with PWD
/// set to the app's working directory.
std::map<std::string, std::string> inherited_env(char** environ_block,
                                                 const std::vector<std::string>& filters,
                                                 const std::string& cwd);

}  // namespace pmctl::cli
