// pmctl stop|restart|reload|delete <name|id|namespace|all|/regex/ ...>
#include <exception>
#include <functional>

#include "cli/app_env.hpp"
#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"
#include "core/selectors.hpp"

extern char** environ;

namespace pmctl::cli {
namespace {

struct TargetOptions {
  std::vector<std::string> targets;
  bool update_env = false;
};

/// Merges the caller's environment into each app's declaration (PM2's --update-env: variables
/// are added or overwritten, never removed).
void update_env(Context& ctx, const std::vector<int>& ids) {
  ctx.registry().update([&](core::RegistryData& data) {
    for (int id : ids) {
      core::AppRecord* rec = data.find(id);
      if (!rec) continue;
      for (auto& [key, value] : inherited_env(environ, {}, rec->decl.cwd)) rec->decl.env[key] = value;
    }
  });
}

std::string describe(const core::RegistryData& data, int id) {
  const core::AppRecord* rec = data.find(id);
  return "'" + (rec ? rec->decl.name : std::string("?")) + "' (id " + std::to_string(id) + ")";
}

/// Goes through every target and reports the first failure at the end, like systemctl.
void for_each_app(Context& ctx, const TargetOptions& o, std::string_view verb,
                  const std::function<void(int)>& action) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  const auto ids = core::resolve_targets(data, o.targets, ctx.cwd());
  if (o.update_env) update_env(ctx, ids);
  std::exception_ptr first_failure;
  for (int id : ids) {
    try {
      action(id);
      say(std::string(verb) + " " + describe(data, id) + " " + green("✓"));
    } catch (const core::Error& e) {
      print_error(std::string(verb) + " " + describe(data, id) + " failed: " + e.what(), e.hint());
      if (!first_failure) first_failure = std::current_exception();
    } catch (const core::ManagerError& e) {
      const auto t = translate(e);
      print_error(std::string(verb) + " " + describe(data, id) + " failed: " + t.what, t.hint);
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  print_process_table(ctx);
  if (first_failure) throw core::Error(std::string(verb) + " failed for some apps", "see the lines above");
}

CLI::App* add_verb(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                   std::function<void(core::Lifecycle&, int)> action, bool with_update_env) {
  auto opts = std::make_shared<TargetOptions>();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("targets", opts->targets, "name | id | namespace | all | /regex/ (several allowed)")
      ->required();
  if (with_update_env)
    cmd->add_flag("-a,--update-env", opts->update_env, "Merge your current environment into the app's");
  cmd->callback([opts, &ctx, name, action] {
    for_each_app(ctx, *opts, name, [&](int id) { action(ctx.lifecycle(), id); });
  });
  return cmd;
}

}  // namespace

void register_lifecycle(CLI::App& app, Context& ctx) {
  add_verb(app, ctx, "stop", "Stop apps (SIGINT, then SIGKILL after --kill-timeout); they stay listed",
           [](core::Lifecycle& l, int id) { l.stop(id); }, false);
  add_verb(app, ctx, "restart", "Restart apps (start them if stopped)",
           [](core::Lifecycle& l, int id) { l.restart(id); }, true);
  add_verb(app, ctx, "reload", "Reload apps (in fork mode, a restart, as in PM2)",
           [](core::Lifecycle& l, int id) { l.restart(id); }, true);
  add_verb(app, ctx, "delete", "Stop apps and remove them from the list",
           [](core::Lifecycle& l, int id) { l.remove(id); }, false)
      ->alias("del");
}

}  // namespace pmctl::cli
