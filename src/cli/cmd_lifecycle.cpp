// pmctl stop|restart|reload|delete <name|id|namespace|all|/regex/ ...>
#include <algorithm>
#include <exception>
#include <functional>
#include <optional>

#include "cli/app_env.hpp"
#include "cli/app_overrides.hpp"
#include "cli/commands.hpp"
#include "cli/ecosystem_actions.hpp"
#include "cli/errors.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/cluster/cluster.hpp"
#include "core/model/selectors.hpp"
#include "core/types/error.hpp"

extern char** environ;

namespace pmctl::cli {
namespace {

struct TargetOptions {
  std::vector<std::string> targets;
  bool update_env = false;
  FileOptions file;  ///< --env, --only: for an ecosystem file target
  AppOverrides app;  ///< restart and reload: PM2's app options, applied to the named apps
};

std::string describe(const core::RegistryData& data, int id) {
  const core::AppRecord* rec = data.find(id);
  return "'" + (rec ? rec->decl.name : std::string("?")) + "' (id " + std::to_string(id) + ")";
}

/// An ecosystem file (or `-`) must be the only target; --env and --only need one.
std::optional<std::string> file_target(const TargetOptions& o) {
  const bool any_file = std::any_of(o.targets.begin(), o.targets.end(), names_ecosystem);
  if (any_file && o.targets.size() > 1)
    throw core::Error("an ecosystem file must be the only target", "run one command per file", 2);
  if (any_file && o.app.any())
    throw core::Error("app options on the command line apply to named apps, not to a file",
                      "set them in the ecosystem file, or name the apps", 2);
  if (any_file) return o.targets.front();
  if (!o.file.env_name.empty())
    throw core::Error(
        "--env '" + o.file.env_name + "' needs an ecosystem file",
        "pass the file, e.g. pmctl restart ecosystem.config.js --env " + o.file.env_name);
  if (!o.file.only.empty())
    throw core::Error("--only needs an ecosystem file",
                      "pass the file, e.g. pmctl restart ecosystem.config.js --only api", 2);
  return std::nullopt;
}

/// How a verb goes through its ids: one at a time, or in batches (reload: core::reload_batches).
using Batcher = std::function<std::vector<std::vector<int>>(const core::RegistryData&,
                                                            const std::vector<int>&)>;
using Action = std::function<void(core::Lifecycle&, const std::vector<int>&)>;

std::vector<std::vector<int>> one_by_one(const core::RegistryData& /*data*/,
                                         const std::vector<int>& ids) {
  std::vector<std::vector<int>> out;
  for (int id : ids) out.push_back({id});
  return out;
}

/// Restart and reload with app options: a renamed app restarts under its new name; the others
/// take their new declarations first, then go through the verb as usual.
Action with_overrides(Context& ctx, const core::RegistryData& data, const std::vector<int>& ids,
                      const AppOverrides& o, Action action) {
  if (!o.any()) return action;
  auto decls = std::make_shared<std::map<int, core::AppDecl>>(redeclared(ctx, ids, o));
  std::map<int, core::AppDecl> kept;
  for (const auto& [id, decl] : *decls)
    if (decl.name == data.find(id)->decl.name) kept.emplace(id, decl);
  ctx.lifecycle().redeclare(kept);
  return [decls, kept, action](core::Lifecycle& l, const std::vector<int>& batch) {
    std::vector<int> rest;
    for (int id : batch)
      if (kept.count(id))
        rest.push_back(id);
      else
        l.restart_as(id, decls->at(id));
    if (!rest.empty()) action(l, rest);
  };
}

/// Goes through every target and reports the first failure at the end, like systemctl.
void for_each_app(Context& ctx, const TargetOptions& o, std::string_view verb,
                  const Batcher& batches, Action action) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  const auto ids = core::resolve_targets(data, o.targets, ctx.cwd());
  if (o.update_env) ctx.lifecycle().update_env(ids, inherited_env(environ, {}, ctx.cwd()));
  action = with_overrides(ctx, data, ids, o.app, std::move(action));
  std::exception_ptr first_failure;
  for (const auto& batch : batches(data, ids)) {
    std::string what = std::string(verb);
    for (std::size_t i = 0; i < batch.size(); ++i)
      what += (i ? " and " : " ") + describe(data, batch[i]);
    try {
      action(ctx.lifecycle(), batch);
      say(what + " " + green("✓"));
    } catch (const core::Error& e) {
      print_error(what + " failed: " + e.what(), e.hint());
      if (!first_failure) first_failure = std::current_exception();
    } catch (const core::ManagerError& e) {
      const auto t = translate(e, ctx.scope());
      print_error(what + " failed: " + t.what, t.hint);
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  print_process_table(ctx);
  if (first_failure)
    throw core::Error(std::string(verb) + " failed for some apps", "see the lines above");
}

CLI::App* add_verb(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                   Action action, FileAction file_action, Batcher batches = one_by_one) {
  auto opts = std::make_shared<TargetOptions>();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("targets", opts->targets,
                  "name | id | namespace | all | /regex/ | script path (several allowed), or one "
                  "ecosystem file")
      ->required();
  const bool starts = file_action == FileAction::Start || file_action == FileAction::Reload;
  if (starts) {
    cmd->add_flag("-a,--update-env", opts->update_env,
                  "Merge your current environment into the app's");
    cmd->add_option("--env", opts->file.env_name, "With an ecosystem file: apply env_<name>");
    add_app_overrides(*cmd, opts->app);
  }
  cmd->add_option("--only", opts->file.only, "With an ecosystem file: only these apps (a,b)");
  cmd->callback([opts, cmd, &ctx, name, action, file_action, batches, starts] {
    collect_given(*cmd, opts->app);
    opts->app.given.erase("--update-env");
    opts->app.given.erase("--env");
    opts->app.given.erase("--only");
    if (ctx.script_args_given && starts) opts->app.args = ctx.script_args;
    if (auto file = file_target(*opts)) return run_file_action(file_action, *file, opts->file, ctx);
    for_each_app(ctx, *opts, name, batches, action);
  });
  return cmd;
}

/// A verb that acts on one id at a time.
Action each(void (core::Lifecycle::*verb)(int)) {
  return [verb](core::Lifecycle& l, const std::vector<int>& ids) {
    for (int id : ids) (l.*verb)(id);
  };
}

/// PM2's startOrRestart & co: one ecosystem file, registered apps restart, the others start.
void add_start_or(CLI::App& app, Context& ctx, const std::string& name, FileAction action) {
  auto opts = std::make_shared<std::pair<std::string, FileOptions>>();
  CLI::App* cmd = app.add_subcommand(
      name, "Start the apps of an ecosystem file, or " +
                std::string(action == FileAction::Reload ? "reload" : "restart") +
                " those already registered");
  cmd->add_option("file", opts->first, "ecosystem file, or - for JSON on stdin")->required();
  cmd->add_option("--env", opts->second.env_name, "Apply env_<name>");
  cmd->add_option("--only", opts->second.only, "Only these apps (a,b)");
  cmd->callback([opts, &ctx, action] {
    if (!names_ecosystem(opts->first))
      throw core::Error("'" + opts->first + "' is not an ecosystem file",
                        "name a .json, .yml, .yaml or .config.js file, or - for stdin", 2);
    run_file_action(action, opts->first, opts->second, ctx);
  });
}

}  // namespace

void register_lifecycle(CLI::App& app, Context& ctx) {
  add_verb(app, ctx, "stop",
           "Stop apps (SIGINT, then SIGKILL after --kill-timeout); they stay listed",
           each(&core::Lifecycle::stop), FileAction::Stop);
  add_verb(app, ctx, "restart", "Restart apps (start them if stopped)",
           each(&core::Lifecycle::restart), FileAction::Start);
  add_verb(
      app, ctx, "reload", "Reload apps (in fork mode, a restart, as in PM2)",
      [](core::Lifecycle& l, const std::vector<int>& ids) { l.reload(ids); }, FileAction::Reload,
      core::reload_batches);
  add_verb(app, ctx, "delete", "Stop apps and remove them from the list",
           each(&core::Lifecycle::remove), FileAction::Delete)
      ->alias("del");
  add_start_or(app, ctx, "startOrRestart", FileAction::Start);
  add_start_or(app, ctx, "startOrReload", FileAction::Reload);
  add_start_or(app, ctx, "startOrGracefulReload", FileAction::Reload);
}

}  // namespace pmctl::cli
