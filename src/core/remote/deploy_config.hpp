#pragma once
// `pmctl deploy`'s target: one `deploy.<env>` section of an ecosystem file (PM2's pm2-deploy
// fields) checked and turned into plain values, and the command words after the env name. Pure:
// nothing here reads a file or runs anything.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/remote/hosts.hpp"

namespace pmctl::core {

struct DeployTarget {
  std::string env;                ///< the section's name: "production"
  std::string file;               ///< the ecosystem file, for messages
  std::vector<RemoteHost> hosts;  ///< in the file's order; `user` and `port` filled in
  std::string ref;                ///< "origin/main"
  std::string remote;             ///< "origin": ref up to its first '/'
  std::string branch;             ///< "main": ref after its first '/'
  std::string repo;
  std::string path;                      ///< absolute, no trailing '/'
  std::vector<std::string> ssh_options;  ///< each one becomes `-o <option>`
  std::string key;                       ///< as written ("~/.ssh/id" keeps its ~)
  bool forward_agent = false;
  bool shallow = false;  ///< fetch: "fast": clone with --depth=5
  std::string pre_setup, post_setup, pre_deploy_local, pre_deploy, post_deploy;
  /// `env` of the section, names upper-cased as PM2 does, for post-deploy.
  std::vector<std::pair<std::string, std::string>> env_vars;
};

/// The target `env` of the `deploy` object of `file`. Throws core::Error (exit 2) for a missing
/// section (listing those there are), a missing host, repo, path or ref, a relative path, a host
/// parse_remote_host refuses, or a field of the wrong type.
DeployTarget deploy_target(const nlohmann::json& deploy, const std::string& env,
                           const std::string& file);

/// The ssh arguments the target adds before the host: `-o` per ssh option, `-i` with the key
/// (a leading `~/` made `home`), `-A` for forward-agent.
std::vector<std::string> deploy_ssh_extra(const DeployTarget& target, const std::string& home);

enum class DeployAction { kSetup, kUpdate, kRevert, kCurrent, kPrevious, kList, kExec };

struct DeployCommand {
  DeployAction action = DeployAction::kUpdate;
  int revert_count = 1;  ///< revert's n
  std::string exec;      ///< exec's command line
};

/// The words after the env name (`setup`, `revert 2`, `exec "npm test"`, none for update).
/// Throws core::Error (exit 2) for an unknown word, a bad n, or exec without a command.
DeployCommand parse_deploy_command(const std::vector<std::string>& words);

/// Whether the action changes the hosts (and so takes the host's deploy lock).
bool deploy_action_changes(DeployAction action);

}  // namespace pmctl::core
