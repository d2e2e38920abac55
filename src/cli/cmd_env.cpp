// pmctl env <id|name>: the environment an app's process gets, as `key: value` lines (PM2's env).
#include <iostream>

#include "cli/app_env.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/model/selectors.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

void print_env(Context& ctx, const std::string& target) {
  const auto data = ctx.registry().load(core::Registry::Environments::Load);
  const auto ids = core::resolve_exact(data, target);
  if (ids.size() > 1)
    throw core::Error("'" + target + "' names " + std::to_string(ids.size()) + " apps",
                      "pass one id; 'pmctl ls' shows them");
  for (const auto& [key, value] : process_env(*data.find(ids.front())))
    std::cout << key << ": " << green(value) << "\n";
}

}  // namespace

void register_env(CLI::App& app, Context& ctx) {
  auto target = std::make_shared<std::string>();
  CLI::App* env = app.add_subcommand("env", "Print the environment an app's process gets");
  env->add_option("target", *target, "id or name")->required();
  env->callback([&ctx, target] { print_env(ctx, *target); });
}

}  // namespace pmctl::cli
