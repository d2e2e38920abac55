#pragma once
// `pmctl deploy`: one command of a deploy target run on its hosts one after another, as PM2
// does, stopping at the first host that fails. Each host gets one ssh connection that runs the
// whole script of deploy_script.hpp; pre-deploy-local runs here, before each host's update.

#include <functional>
#include <string>

#include "core/remote/deploy_config.hpp"

namespace pmctl::core {

/// Receives the progress lines of this side (`--> on host web1`); the hosts' own lines go
/// straight to this process's stdout and stderr.
using DeployProgress = std::function<void(const std::string& line)>;

/// Runs `command` on every host of `target`. Returns 0 when all went well, 1 when a host's
/// script failed (it has printed its one error line). Throws core::Error (exit 1) for what
/// fails on this side: pre-deploy-local, ssh not running or not connecting.
int run_deploy(const DeployTarget& target, const DeployCommand& command,
               const DeployProgress& progress);

/// pre-setup's local script: the content of the file its first word names, when that is an
/// existing file here (relative to the current directory); "" when it is a remote command.
std::string pre_setup_local_script(const std::string& pre_setup);

}  // namespace pmctl::core
