#include "core/remote/deploy.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/base/files.hpp"
#include "core/remote/deploy_script.hpp"
#include "core/remote/ssh_process.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

constexpr int kScriptFailed = 1;  ///< the script's one status for a failed step
constexpr int kSshFailed = 255;

std::string where(const DeployTarget& target, const RemoteHost& host) {
  std::string text = "deploy ";
  text += target.env;
  text += ": ";
  text += host.label;
  text += ": ";
  return text;
}

/// PM2 runs pre-deploy-local here with the user's shell before each host's update.
void run_pre_deploy_local(const DeployTarget& target, const RemoteHost& host,
                          const DeployProgress& progress) {
  if (target.pre_deploy_local.empty()) return;
  progress("  ○ executing pre-deploy-local `" + target.pre_deploy_local + "`");
  const int status = run_attached({"bash", "-c", target.pre_deploy_local}, ChildInput::kInherit);
  if (status == 0) return;
  std::string what = where(target, host);
  what += "pre-deploy-local failed (exit " + std::to_string(status) + ")";
  throw Error(what, "it runs here, before " + host.label + " is touched");
}

/// What a status other than the script's own 0 and 1 means.
[[noreturn]] void fail_remote(const DeployTarget& target, const RemoteHost& host, int status,
                              const std::string& ssh) {
  std::string what = where(target, host);
  if (status < 0)
    throw Error(what + "cannot run '" + ssh + "'",
                "install openssh-client, or set PMCTL_SSH_COMMAND");
  if (status == kSshFailed)
    throw Error(what + "ssh failed (exit 255)",
                "ssh's message is above; ssh runs with BatchMode=yes, so the host key and a key "
                "or agent must let it in without a prompt");
  if (status > 128)
    throw Error(what + "stopped by signal " + std::to_string(status - 128),
                "the host may be half-way through: 'pmctl deploy " + target.env +
                    " list' and 'curr' show where it is");
  throw Error(what + "the remote shell failed (exit " + std::to_string(status) + ")",
              "is bash installed there?");
}

int run_on_host(const DeployTarget& target, const DeployCommand& command, const RemoteHost& host,
                const SshSettings& ssh, const std::string& pre_setup_script) {
  const std::string script = deploy_script(target, command, host.label, pre_setup_script);
  const int status = run_with_input(ssh_argv(ssh, host, /*tty=*/false, "bash -s"), script);
  if (status == 0 || status == kScriptFailed) return status;
  fail_remote(target, host, status, ssh.command.front());
}

}  // namespace

std::string pre_setup_local_script(const std::string& pre_setup) {
  const std::string first = pre_setup.substr(0, pre_setup.find_first_of(" \t"));
  if (first.empty()) return {};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(first, ec)) return {};
  return read_file(first);
}

int run_deploy(const DeployTarget& target, const DeployCommand& command,
               const DeployProgress& progress) {
  SshSettings ssh = ssh_settings_from_env();
  const char* home = std::getenv("HOME");
  ssh.extra = deploy_ssh_extra(target, home ? home : "");
  const std::string pre_setup_script = command.action == DeployAction::kSetup
                                           ? pre_setup_local_script(target.pre_setup)
                                           : std::string();
  const bool deploys =
      command.action == DeployAction::kUpdate || command.action == DeployAction::kRevert;
  progress("--> Deploying to " + target.env + " environment");
  for (const RemoteHost& host : target.hosts) {
    progress("--> on host " + host.label);
    if (deploys) run_pre_deploy_local(target, host, progress);
    if (run_on_host(target, command, host, ssh, pre_setup_script) != 0) return 1;
  }
  return 0;
}

}  // namespace pmctl::core
