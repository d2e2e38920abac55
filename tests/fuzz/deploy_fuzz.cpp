// libFuzzer target for deploy_target (an ecosystem file's `deploy` section, what `pmctl deploy`
// and `pmctl -H @env` read) and the host scripts made of it. Any exception other than
// core::Error, a crash or a sanitizer report is a bug, and so is a target without hosts, a
// relative path, or a host value that reaches a script unquoted: the script of every action
// must hold the path only inside single quotes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/ecosystem/json5.hpp"
#include "core/remote/deploy_config.hpp"
#include "core/remote/deploy_script.hpp"
#include "core/types/error.hpp"

namespace {

using pmctl::core::DeployAction;

void check_scripts(const pmctl::core::DeployTarget& target) {
  for (const DeployAction action :
       {DeployAction::kSetup, DeployAction::kUpdate, DeployAction::kRevert, DeployAction::kCurrent,
        DeployAction::kPrevious, DeployAction::kList, DeployAction::kExec}) {
    pmctl::core::DeployCommand command;
    command.action = action;
    command.exec = "true";
    const std::string script =
        pmctl::core::deploy_script(target, command, target.hosts.front().label, "");
    if (script.find(pmctl::core::shell_quote(target.path)) == std::string::npos) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pmctl::core::DeployTarget target;
  try {
    target = pmctl::core::deploy_target(pmctl::core::parse_json5(text, "fuzz"), "production",
                                        "ecosystem.config.js");
  } catch (const pmctl::core::Error&) {
    return 0;
  }
  if (target.hosts.empty() || target.path.empty() || target.path[0] != '/') std::abort();
  for (const auto& host : target.hosts)
    if (host.host.empty() || host.host[0] == '-') std::abort();
  check_scripts(target);
  return 0;
}
