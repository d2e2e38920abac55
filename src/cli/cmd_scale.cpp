// pmctl scale <app> N|+N|-N: PM2's scale of an app's instances (through the balancer without
// dropping connections in cluster mode; a fork app becomes a pool).
#include "cli/commands.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/cluster/cluster.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

int current_instances(Context& ctx, const std::string& name) {
  int n = 0;
  for (const auto& rec : ctx.registry().load(core::Registry::Environments::Skip).apps)
    if (rec.decl.name == name) ++n;
  if (n == 0) throw core::Error("no app named '" + name + "'", "'pmctl ls' lists the apps");
  return n;
}

void run_scale(Context& ctx, const std::vector<std::string>& args) {
  if (args.size() != 2)
    throw core::Error("scale takes an app name and a number", "e.g. pmctl scale web 4, +2 or -1",
                      2);
  const std::string& name = args[0];
  const int current = current_instances(ctx, name);
  const int target = core::scale_target(args[1], current, name);
  const auto changed = ctx.lifecycle().scale(name, target);
  if (changed.empty())
    say("'" + name + "' already runs " + std::to_string(current) + " instance(s)");
  else
    say("scaled '" + name + "' from " + std::to_string(current) + " to " + std::to_string(target) +
        " instance(s) " + green("✓"));
  print_process_table(ctx);
}

}  // namespace

void register_scale(CLI::App& app, Context& ctx) {
  CLI::App* scale =
      app.add_subcommand("scale", "Run N, N more (+N) or N fewer (-N) instances of an app");
  auto args = std::make_shared<std::vector<std::string>>(2);
  scale->add_option("name", (*args)[0], "the app")->required();
  // CLI11 takes -N for a positional: no option of pmctl's is a number.
  scale->add_option("number", (*args)[1], "N, +N or -N")->required();
  scale->callback([&ctx, args] { run_scale(ctx, *args); });
}

}  // namespace pmctl::cli
