#pragma once
// The bash script `pmctl deploy` sends to each host (`ssh host bash -s`): PM2's pm2-deploy steps
// for one command on one host, as one script so that one ssh connection does it all. Pure text.
//
// The script prints PM2's progress lines (`  ○ fetching updates`) on stdout and, when a step
// fails, exactly one error line in pmctl's format on stderr, then exits 1; it exits 0 when all
// went well and with no other status, so any other status is ssh's or the remote shell's.

#include <string>

#include "core/remote/deploy_config.hpp"

namespace pmctl::core {

/// The script for `command` of `target` on the host `host_label` names. `pre_setup_script` is the
/// content of the local file pre-setup's first word names (run there with `bash -s`), or "" to
/// run pre-setup as a remote command.
std::string deploy_script(const DeployTarget& target, const DeployCommand& command,
                          const std::string& host_label, const std::string& pre_setup_script = {});

}  // namespace pmctl::core
