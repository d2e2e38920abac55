// pmctl deploy [<ecosystem file>] <env> [setup|update|revert [n]|curr|prev|list|exec <cmd>]:
// PM2's deploy (pm2-deploy) over ssh, with the same layout on the hosts (docs/deploy.md).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/ecosystem/ecosystem_file.hpp"
#include "core/remote/deploy.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

constexpr const char* kDefaultFile = "ecosystem.config.js";

struct DeployWords {
  std::string file = kDefaultFile;
  std::string env;
  std::vector<std::string> command;
};

/// PM2's positional words: an ecosystem file first when the first word is one by its name.
DeployWords split_words(const std::vector<std::string>& words) {
  DeployWords out;
  std::size_t next = 0;
  if (!words.empty() && core::is_ecosystem_file(words[0])) out.file = words[next++];
  if (next == words.size())
    throw core::Error("deploy needs an environment of the ecosystem file's deploy section",
                      "pmctl deploy [ecosystem.config.js] production [setup]", 2);
  out.env = words[next++];
  out.command.assign(words.begin() + static_cast<std::ptrdiff_t>(next), words.end());
  return out;
}

void run_deploy_command(const std::vector<std::string>& words, Context& ctx) {
  const DeployWords w = split_words(words);
  const core::DeployCommand command = core::parse_deploy_command(w.command);
  const core::EcosystemDoc doc = core::load_ecosystem_file(w.file);
  const core::DeployTarget target = core::deploy_target(doc.deploy, w.env, w.file);
  const auto progress = [](const std::string& line) {
    if (!silent()) std::cout << line << std::endl;
  };
  ctx.exit_status = core::run_deploy(target, command, progress);
}

}  // namespace

void register_deploy(CLI::App& app, Context& ctx) {
  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* deploy =
      app.add_subcommand("deploy",
                         "PM2's deploy: set up, update, revert or run a command on the hosts of an "
                         "ecosystem file's deploy section, over ssh");
  deploy
      ->add_option("environment", *words,
                   "[ecosystem file] <env> [setup|update|revert [n]|curr|prev|list|exec <cmd>]")
      ->required();
  deploy->callback([&ctx, words] { run_deploy_command(*words, ctx); });
}

}  // namespace pmctl::cli
