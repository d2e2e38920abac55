// pmctl repair: rebuilds registry.json from the running pmctl units, the per-app record files and
// the dump (docs/usage.md, "When the registry is damaged").
#include <string>

#include "cli/commands.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/lifecycle/recovery.hpp"

namespace pmctl::cli {
namespace {

void run_repair(Context& ctx) {
  const core::RepairReport report = core::repair_registry(ctx.registry(), ctx.manager());
  const std::string file = (ctx.registry().dir() / "registry.json").string();
  if (!report.damaged_kept_as.empty())
    say("The damaged registry is kept as " + report.damaged_kept_as);
  else if (report.registry_was_missing)
    say("There was no " + file);
  for (const auto& app : report.apps) {
    if (app.source == core::DeclSource::Registry) continue;
    say("App '" + app.name + "' (id " + std::to_string(app.id) + ", " +
        (app.unit.empty() ? "no unit loaded" : app.unit) + "): declaration from the " +
        std::string(core::to_string(app.source)) +
        (app.source == core::DeclSource::Unit
             ? " (its command line and directory only: check it with 'pmctl describe " +
                   std::to_string(app.id) + "')"
             : ""));
  }
  if (report.added == 0 && report.damaged_kept_as.empty() && !report.registry_was_missing)
    say("Nothing to repair: " + file + " lists every app");
  else
    say("Wrote " + file + ": " + std::to_string(report.apps.size()) + " app(s)");
  print_process_table(ctx);
}

}  // namespace

void register_repair(CLI::App& app, Context& ctx) {
  app.add_subcommand("repair",
                     "Rebuild the registry from the running pmctl units, the per-app record "
                     "files and the dump (a damaged one is kept beside it)")
      ->callback([&ctx] { run_repair(ctx); });
}

}  // namespace pmctl::cli
