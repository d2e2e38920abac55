// pmctl env <id|name>: the environment an app's process gets, as `key: value` lines (PM2's env).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/model/selectors.hpp"
#include "core/types/error.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::cli {
namespace {

void print_env(Context& ctx, const std::string& target) {
  const auto data = ctx.registry().load(core::Registry::Environments::Load);
  const auto ids = core::resolve_exact(data, target);
  if (ids.size() > 1)
    throw core::Error("'" + target + "' names " + std::to_string(ids.size()) + " apps",
                      "pass one id; 'pmctl ls' shows them");
  const core::AppRecord& rec = *data.find(ids.front());
  core::InstanceContext instance;
  instance.id = rec.id;
  instance.instance = rec.instance;
  instance.endpoint = rec.endpoint;
  auto env = rec.decl.env;
  for (auto& [key, value] : core::injected_env(rec.decl, instance)) env[key] = value;
  for (const auto& [key, value] : env) std::cout << key << ": " << green(value) << "\n";
}

}  // namespace

void register_env(CLI::App& app, Context& ctx) {
  auto target = std::make_shared<std::string>();
  CLI::App* env = app.add_subcommand("env", "Print the environment an app's process gets");
  env->add_option("target", *target, "id or name")->required();
  env->callback([&ctx, target] { print_env(ctx, *target); });
}

}  // namespace pmctl::cli
