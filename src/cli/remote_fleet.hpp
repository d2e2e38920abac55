#pragma once
// `pmctl -H a,b,c <verb>`: the verb on every host at once; `ls` and `jlist` merged into one
// table or array with the host in it, other verbs' lines prefixed with `[host] `.

#include <string>
#include <vector>

#include "core/remote/hosts.hpp"

namespace pmctl::cli {

/// Runs `args` on every host (at most PMCTL_HOST_PARALLEL at once, default 16); the exit code:
/// 0 when every host succeeded, else 1 (each failed host has its line on stderr).
int run_fleet(const std::vector<core::RemoteHost>& hosts, const core::SshSettings& ssh,
              const std::vector<std::string>& args, const std::string& verb);

}  // namespace pmctl::cli
