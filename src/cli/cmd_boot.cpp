// pmctl save|dump, resurrect, cleardump, kill, startup, unstartup: PM2's boot story, as unit
// files systemd starts by itself (docs/usage.md, "Boot").
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/base/files.hpp"
#include "core/state/boot_state.hpp"
#include "core/units/boot_units.hpp"
#include "core/state/dump.hpp"
#include "core/types/error.hpp"
#include "core/base/linger.hpp"
#include "systemd/logind.hpp"

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
           ", which is gone: it will fail at boot; start it again with the interpreter you use now, then save");
    else if (!d.command_string && !d.script.empty() && d.script.front() == '/' && access(d.script.c_str(), F_OK) != 0)
      warn("'" + d.name + "' (id " + std::to_string(app.id) + "): " + d.script + " is gone: it will fail at boot");
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

void run_kill(Context& ctx) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  for (int id : data.ids()) ctx.lifecycle().remove(id);
  say("All apps stopped and deleted (pmctl has no daemon to stop); the dump is kept: 'pmctl resurrect' brings them back");
}

// ---- startup / unstartup -------------------------------------------------------------

/// What startup did, so that unstartup undoes exactly that: <state>/startup.json.
struct StartupRecord {
  bool target_created = false;
  bool linger_enabled = false;
};

fs::path record_path(Context& ctx) { return ctx.registry().dir() / "startup.json"; }

StartupRecord read_record(Context& ctx) {
  StartupRecord r;
  std::ifstream in(record_path(ctx));
  if (!in) return r;
  try {
    const auto j = nlohmann::json::parse(in);
    r.target_created = j.value("target_created", false);
    r.linger_enabled = j.value("linger_enabled", false);
  } catch (const nlohmann::json::exception&) {
  }
  return r;
}

void write_record(Context& ctx, const StartupRecord& r) {
  std::error_code ec;
  fs::create_directories(ctx.registry().dir(), ec);
  const nlohmann::json j{{"target_created", r.target_created}, {"linger_enabled", r.linger_enabled}};
  core::write_file_atomically(record_path(ctx), j.dump() + "\n", 0600);
}

struct Account {
  unsigned uid;
  std::string name;
};

Account me() {
  const passwd* pw = getpwuid(geteuid());
  if (!pw) throw core::Error("cannot find your user name (uid " + std::to_string(geteuid()) + ")");
  return {pw->pw_uid, pw->pw_name};
}

void check_platform(const std::string& platform) {
  static const std::vector<std::string> systemd = {"", "systemd", "ubuntu", "centos", "arch", "oracle", "debian", "redhat"};
  if (std::find(systemd.begin(), systemd.end(), platform) == systemd.end())
    throw core::Error("pmctl starts apps at boot with systemd only, not '" + platform + "'",
                      "run 'pmctl startup' (or 'pmctl startup systemd')", 2);
}

/// Writes an empty pmctl.target when no save made one; true if it did.
bool ensure_target(Context& ctx, const fs::path& unit_dir) {
  if (fs::exists(unit_dir / core::kBootTarget)) return false;
  core::BootPaths paths;
  paths.scope = ctx.scope();
  for (const auto& f : core::render_boot_units({}, paths))
    if (f.name == core::kBootTarget) {
      std::error_code ec;
      fs::create_directories(unit_dir, ec);
      core::write_file_atomically(unit_dir / f.name, f.text, 0644);
    }
  return true;
}

/// A user manager runs at boot only for a lingering user: logind's SetUserLinger.
bool enable_linger(const Account& user) {
  if (core::user_lingers(user.name)) return false;
  try {
    sd::set_user_linger(user.uid, true);
  } catch (const core::ManagerError& e) {
    throw core::Error("cannot make your user manager start at boot (" + std::string(e.what()) + ")",
                      "an administrator must run: sudo loginctl enable-linger " + user.name);
  }
  return true;
}

/// What startup and unstartup check first: the platform, and root for the system manager.
/// Returns the directory of pmctl.target.
fs::path boot_unit_dir(Context& ctx, const std::string& platform, const std::string& command) {
  check_platform(platform);
  if (ctx.scope() == core::Scope::System && geteuid() != 0)
    throw core::Error("'pmctl " + command + "' for the system manager needs root",
                      "run: sudo pmctl " + command + " (or 'pmctl --user " + command + "' for your own user manager)");
  return core::persistent_unit_dir(ctx.scope());
}

void run_startup(Context& ctx, const std::string& platform) {
  const fs::path unit_dir = boot_unit_dir(ctx, platform, "startup");
  const core::Scope scope = ctx.scope();
  StartupRecord record = read_record(ctx);
  const bool created = ensure_target(ctx, unit_dir);
  try {
    if (scope == core::Scope::User) record.linger_enabled = enable_linger(me()) || record.linger_enabled;
    ctx.manager().enable_unit_files({core::kBootTarget});
    ctx.manager().reload_daemon();
  } catch (...) {
    if (created) fs::remove(unit_dir / core::kBootTarget);
    throw;
  }
  record.target_created = created || record.target_created;
  write_record(ctx, record);
  say("pmctl.target is enabled (" + core::boot_wanted_by(scope) + "): the apps of the last 'pmctl save' start at boot");
  if (record.linger_enabled) say("Lingering is on for " + me().name + ": your user manager starts at boot without a login");
  // journald keeps its journal on disk only where /var/log/journal exists (Storage=auto).
  if (!fs::exists("/var/log/journal"))
    warn("the journal is kept in memory only: 'pmctl logs' will not show lines from before a reboot "
         "(mkdir /var/log/journal, or Storage=persistent in journald.conf)");
  say("Freeze a process list on reboot via: pmctl save");
  say("Remove it via: pmctl unstartup");
}

/// Whether `pmctl save` wrote pmctl.target (then it is save's to keep, not startup's).
bool saved_target(Context& ctx) {
  const auto names = core::saved_unit_names(ctx.registry().dir());
  return std::find(names.begin(), names.end(), core::kBootTarget) != names.end();
}

void run_unstartup(Context& ctx, const std::string& platform) {
  const fs::path unit_dir = boot_unit_dir(ctx, platform, "unstartup");
  const StartupRecord record = read_record(ctx);
  if (!ctx.manager().unit_file_state(core::kBootTarget).empty()) ctx.manager().disable_unit_files({core::kBootTarget});
  if (record.target_created && !saved_target(ctx)) fs::remove(unit_dir / core::kBootTarget);
  ctx.manager().reload_daemon();
  if (record.linger_enabled) {
    sd::set_user_linger(me().uid, false);
    say("Lingering is off again for " + me().name);
  }
  std::error_code ec;
  fs::remove(record_path(ctx), ec);
  say("pmctl.target is disabled: nothing of pmctl starts at boot; the saved units and the dump stay ('pmctl cleardump' removes them)");
}

}  // namespace

void register_boot(CLI::App& app, Context& ctx) {
  auto force = std::make_shared<bool>(false);
  CLI::App* save = app.add_subcommand("save", "Save the apps: a dump and unit files pmctl.target starts at boot");
  save->alias("dump");
  save->add_flag("-f,--force", *force, "Save even an empty list");
  save->callback([&ctx, force] { run_save(ctx, *force); });
  app.add_subcommand("resurrect", "Bring back the saved apps whose names are not running")
      ->callback([&ctx] { run_resurrect(ctx); });
  app.add_subcommand("cleardump", "Empty the dump and remove the saved unit files")->callback([&ctx] {
    ctx.lifecycle().clear_dump();
    say("Successfully created " + core::dump_path(ctx.registry().dir()).string() + " (empty)");
  });
  app.add_subcommand("kill", "Stop and delete every app (PM2's kill; there is no daemon)")
      ->callback([&ctx] { run_kill(ctx); });
  for (const char* verb : {"startup", "unstartup"}) {
    auto platform = std::make_shared<std::string>();
    auto user = std::make_shared<std::string>();
    auto home = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(verb, std::string(verb) == "startup"
                                                 ? "Start the saved apps at boot: enable pmctl.target"
                                                 : "Undo 'pmctl startup'");
    cmd->add_option("platform", *platform, "systemd (the only one)");
    cmd->add_option("-u,--user-name", *user, "PM2's -u: not needed, pmctl uses the manager you talk to");
    cmd->add_option("--hp", *home, "PM2's --hp: not needed");
    const bool up = std::string(verb) == "startup";
    cmd->callback([&ctx, platform, up] { up ? run_startup(ctx, *platform) : run_unstartup(ctx, *platform); });
  }
}

}  // namespace pmctl::cli
