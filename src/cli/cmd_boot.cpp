// pmctl save|dump, resurrect, cleardump, kill, startup, unstartup: PM2's boot story, as unit
// files systemd starts by itself (docs/usage.md, "Boot").
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "cli/app_env.hpp"
#include "cli/commands.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/base/accounts.hpp"
#include "core/ecosystem/pm2_dump.hpp"
#include "core/model/names.hpp"
#include "core/state/boot_state.hpp"
#include "core/state/dump.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

namespace fs = std::filesystem;

/// The saved units run the interpreter and script pmctl resolved when each app started (absolute
/// paths: a boot never searches a PATH). One that is gone since (an nvm version removed) would
/// fail at boot: say so now.
void warn_missing_programs(Context& ctx) {
  for (const auto& app : ctx.registry().load(core::Registry::Environments::Skip).apps) {
    const auto& d = app.decl;
    if (!d.interpreter.empty() && access(d.interpreter.c_str(), X_OK) != 0)
      warn("'" + d.name + "' (id " + std::to_string(app.id) + ") runs " + d.interpreter +
           ", which is gone: it will fail at boot; start it again with the interpreter you use "
           "now, then save");
    else if (!d.command_string && !d.script.empty() && d.script.front() == '/' &&
             access(d.script.c_str(), F_OK) != 0)
      warn("'" + d.name + "' (id " + std::to_string(app.id) + "): " + d.script +
           " is gone: it will fail at boot");
  }
}

void run_save(Context& ctx, bool force) {
  say("Saving current process list...");
  warn_missing_programs(ctx);
  const int saved = ctx.lifecycle().save(force);
  if (saved < 0) {
    warn("pmctl is not managing any app, skipping save...");
    warn("To force saving use: pmctl save --force");
    return;
  }
  say("Successfully saved " + std::to_string(saved) + " app instance(s) in " +
      core::dump_path(ctx.registry().dir()).string());
  say("Unit files in " + core::persistent_unit_dir(ctx.scope()) + ", wanted by pmctl.target" +
      (core::boot_target_enabled(core::persistent_unit_dir(ctx.scope()), ctx.scope())
           ? ""
           : " (not started at boot yet: run 'pmctl startup')"));
}

void run_resurrect(Context& ctx) {
  say("Resurrecting");
  std::string source;
  const auto names = ctx.lifecycle().resurrect(source);
  if (source.empty()) {
    say("No processes saved; DUMP file doesn't exist");
  } else {
    say("Restoring processes located in " + source);
    for (const auto& n : names) say("Restored '" + n + "'");
  }
  print_process_table(ctx);
}

core::FieldContext pm2_dump_context(const std::string& file, Context& ctx) {
  core::FieldContext fc;
  fc.file = file;
  fc.base_dir = fs::absolute(file).lexically_normal().parent_path().string();
  const char* path = std::getenv("PATH");
  fc.path_env = path ? path : "/usr/local/bin:/usr/bin:/bin";
  fc.root = ctx.scope() == core::Scope::System && geteuid() == 0;
  fc.log_dir = (ctx.registry().dir() / "logs").string();
  return fc;
}

/// `resurrect --from-pm2 FILE`: the apps of PM2's dump.pm2, all read and checked first, then
/// started as `pmctl start <ecosystem>` starts them; names already registered are skipped, as
/// PM2's resurrect skips the names it runs.
void run_resurrect_from_pm2(Context& ctx, const std::string& file) {
  auto apps = core::load_pm2_dump(file, pm2_dump_context(file, ctx));
  say("Restoring processes located in " + file + " (PM2's dump)");
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  std::vector<core::ConvertedApp> fresh;
  for (auto& app : apps) {
    for (const auto& w : app.warnings) warn(w);
    std::erase_if(app.decl.env, [](const auto& var) { return set_by_systemd(var.first); });
    if (data.ids_named(app.decl.name).empty())
      fresh.push_back(std::move(app));
    else
      say("Skipped '" + core::printable(app.decl.name) + "': an app of that name is registered");
  }
  for (const auto& app : fresh) warn_before_start(app.decl, ctx);
  const core::Applied applied = ctx.lifecycle().apply(fresh, false, false);
  for (const auto& w : applied.warnings) warn(w);
  for (const auto& [name, what] : applied.apps)
    say("Restored '" + core::printable(name) + "' (" + what + ")");
  print_process_table(ctx);
}

void run_kill(Context& ctx) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  for (int id : data.ids()) ctx.lifecycle().remove(id);
  say("All apps stopped and deleted (pmctl has no daemon to stop); the dump is kept: 'pmctl "
      "resurrect' brings them back");
}

// ---- startup / unstartup -------------------------------------------------------------

void check_platform(const std::string& platform) {
  static const std::vector<std::string> systemd = {"",     "systemd", "ubuntu", "centos",
                                                   "arch", "oracle",  "debian", "redhat"};
  if (std::find(systemd.begin(), systemd.end(), platform) == systemd.end())
    throw core::Error("pmctl starts apps at boot with systemd only, not '" + platform + "'",
                      "run 'pmctl startup' (or 'pmctl startup systemd')", 2);
}

/// The linger protocol of root's `startup -u USER`, which runs `pmctl --user startup` as USER
/// (core/lifecycle/boot_store_for_user.cpp); "" when this pmctl was started by someone else.
std::string caller_linger() {
  const char* v = std::getenv("PMCTL_LINGER_BY_CALLER");
  const std::string value = v ? v : "";
  return value == "turned-on" || value == "kept" ? value : "";
}

/// Whether `-u USER` names someone else than the caller (PM2's -u of the caller is a no-op).
bool names_another_user(const std::string& user) {
  if (user.empty()) return false;
  const auto me = core::find_user(std::to_string(geteuid()));
  const auto them = core::find_user(user);
  return !(me && them && me->uid == them->uid);
}

void run_startup_for(Context& ctx, const std::string& user, const std::string& home) {
  const std::string name = ctx.lifecycle().startup_for(user, home);
  say("Lingering is on for " + name + ": their user manager starts at boot, and with it the apps " +
      name + " saved with 'pmctl save'");
  say("Remove it via: sudo pmctl unstartup -u " + name);
}

void run_startup(Context& ctx, const std::string& platform, const std::string& user,
                 const std::string& home) {
  check_platform(platform);
  if (names_another_user(user)) return run_startup_for(ctx, user, home);
  const std::string lingering = ctx.lifecycle().startup(caller_linger());
  say("pmctl.target is enabled (" + core::boot_wanted_by(ctx.scope()) +
      "): the apps of the last 'pmctl save' start at boot");
  if (!lingering.empty())
    say("Lingering is on for " + lingering + ": your user manager starts at boot without a login");
  // journald keeps its journal on disk only where /var/log/journal exists (Storage=auto).
  if (!fs::exists("/var/log/journal"))
    warn(
        "the journal is kept in memory only: 'pmctl logs' will not show lines from before a reboot "
        "(mkdir /var/log/journal, or Storage=persistent in journald.conf)");
  say("Freeze a process list on reboot via: pmctl save");
  say("Remove it via: pmctl unstartup");
}

void run_unstartup(Context& ctx, const std::string& platform, const std::string& user,
                   const std::string& home) {
  check_platform(platform);
  const std::string lingering = names_another_user(user)
                                    ? ctx.lifecycle().unstartup_for(user, home)
                                    : ctx.lifecycle().unstartup(caller_linger());
  if (!lingering.empty()) say("Lingering is off again for " + lingering);
  say("pmctl.target is disabled: nothing of pmctl starts at boot; the saved units and the dump "
      "stay ('pmctl cleardump' removes them)");
}

}  // namespace

void register_boot(CLI::App& app, Context& ctx) {
  auto force = std::make_shared<bool>(false);
  CLI::App* save = app.add_subcommand(
      "save", "Save the apps: a dump and unit files pmctl.target starts at boot");
  save->alias("dump");
  save->add_flag("-f,--force", *force, "Save even an empty list");
  save->callback([&ctx, force] { run_save(ctx, *force); });
  auto pm2_dump = std::make_shared<std::string>();
  CLI::App* resurrect =
      app.add_subcommand("resurrect", "Bring back the saved apps whose names are not running");
  CLI::Option* from_pm2 = resurrect->add_option(
      "--from-pm2", *pm2_dump, "Start the apps of PM2's dump instead (pm2 save's ~/.pm2/dump.pm2)");
  from_pm2->type_name("FILE");
  resurrect->callback([&ctx, pm2_dump, from_pm2] {
    from_pm2->count() ? run_resurrect_from_pm2(ctx, *pm2_dump) : run_resurrect(ctx);
  });
  app.add_subcommand("cleardump", "Empty the dump and remove the saved unit files")
      ->callback([&ctx] {
        ctx.lifecycle().clear_dump();
        say("Successfully created " + core::dump_path(ctx.registry().dir()).string() + " (empty)");
      });
  app.add_subcommand("kill", "Stop and delete every app (PM2's kill; there is no daemon)")
      ->callback([&ctx] { run_kill(ctx); });
  for (const char* verb : {"startup", "unstartup"}) {
    auto platform = std::make_shared<std::string>();
    auto user = std::make_shared<std::string>();
    auto home = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        verb, std::string(verb) == "startup" ? "Start the saved apps at boot: enable pmctl.target"
                                             : "Undo 'pmctl startup'");
    cmd->add_option("platform", *platform, "systemd (the only one)");
    cmd->add_option("-u,--user-name", *user,
                    "As root: the user whose saved apps start at boot (their user manager)");
    cmd->add_option("--hp", *home, "With -u: that user's home directory (default: from passwd)");
    const bool up = std::string(verb) == "startup";
    cmd->callback([&ctx, platform, user, home, up] {
      up ? run_startup(ctx, *platform, *user, *home) : run_unstartup(ctx, *platform, *user, *home);
    });
  }
}

}  // namespace pmctl::cli
