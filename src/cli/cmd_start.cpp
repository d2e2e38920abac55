// pmctl start: a new app from a script, binary or command string, or PM2's smart start of
// registered apps (by name, id, namespace or `all`).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "cli/app_env.hpp"
#include "cli/app_overrides.hpp"
#include "cli/commands.hpp"
#include "cli/ecosystem_actions.hpp"
#include "cli/list_view.hpp"
#include "cli/log_options.hpp"
#include "cli/output.hpp"
#include "cli/pm2_flags.hpp"
#include "core/base/interpreter.hpp"
#include "core/fields/parse.hpp"
#include "core/model/names.hpp"
#include "core/model/selectors.hpp"
#include "core/text/format.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"
#include "core/units/watch_units.hpp"

extern char** environ;

namespace pmctl::cli {

void warn_before_start(const core::AppDecl& decl, Context& ctx) {
  for (const auto& path : core::watched_paths(decl)) {
    std::error_code ec;
    if (decl.watch.enabled && !std::filesystem::exists(path, ec))
      warn("watch path '" + path + "' of '" + decl.name +
           "' does not exist: the watcher watches only paths that exist when it starts (its "
           "journal names the ones it cannot watch)");
  }
  if (decl.max_memory_bytes == 0 || ctx.lifecycle().memory_controller()) return;
  warn("no memory controller for this manager's cgroups: the kernel cannot cap '" + decl.name +
       "'; pmctl-memguard restarts it past " + core::format_memory(decl.max_memory_bytes) +
       " from /proc figures, checked every second");
}

namespace {

struct StartOptions {
  std::vector<std::string> targets;
  std::string name;
  std::string ns;
  std::string cwd;
  std::string interpreter;
  std::string interpreter_args;
  std::vector<std::string> setenv;
  std::vector<std::string> filter_env;
  std::string env_name;
  std::string only;
  bool force = false;
  bool no_autorestart = false;
  bool attach = false;     ///< PM2's --attach: follow the output after the start
  bool no_daemon = false;  ///< PM2's --no-daemon: the same, and stop the apps on Ctrl-C
  std::string restart_delay;
  std::string exp_backoff;
  std::string max_restarts;
  std::string min_uptime;
  std::string kill_timeout;
  std::vector<std::string> stop_exit_codes;
  LogOptions logs;
  Pm2Flags pm2;
  /// Options given on the command line, even with an empty value (which must be an error).
  std::set<std::string> given;
  bool has(const std::string& option) const { return given.count(option) > 0; }
};

/// The options of a smart start that PM2 applies to the registered apps (app_overrides.hpp).
AppOverrides start_overrides(const StartOptions& o) {
  AppOverrides ov;
  ov.name = o.name;
  ov.ns = o.ns;
  ov.interpreter_args = o.interpreter_args;
  ov.max_memory = o.pm2.max_memory;
  ov.restart_delay = o.restart_delay;
  ov.exp_backoff = o.exp_backoff;
  ov.max_restarts = o.max_restarts;
  ov.min_uptime = o.min_uptime;
  ov.kill_timeout = o.kill_timeout;
  ov.listen_timeout = o.pm2.listen_timeout;
  ov.date_format = o.logs.date_format;
  ov.stop_exit_codes = o.stop_exit_codes;
  ov.setenv = o.setenv;
  ov.no_autorestart = o.no_autorestart;
  ov.time = o.logs.time;
  for (const char* option :
       {"--name", "--namespace", "--interpreter-args", "--max-memory-restart", "--no-autorestart",
        "--restart-delay", "--exp-backoff-restart-delay", "--max-restarts", "--min-uptime",
        "--kill-timeout", "--stop-exit-codes", "--listen-timeout", "--log-date-format", "--time",
        "--setenv"})
    if (o.has(option)) ov.given.insert(option);
  return ov;
}

std::string working_dir(const StartOptions& o, const Context& ctx) {
  namespace fs = std::filesystem;
  const fs::path dir =
      !o.has("--cwd") ? fs::path(ctx.cwd()) : fs::absolute(o.cwd).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw core::Error("working directory '" + o.cwd + "' does not exist",
                      "pass an existing directory to --cwd");
  std::string text = dir.string();
  if (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

/// --attach: the started apps' output until Ctrl-C (pmctl ends, the apps run on, as PM2's).
/// --no-daemon: pmctl has no daemon to keep in the foreground, so it stays there itself: the
/// output until SIGINT or SIGTERM (a container's stop), then it stops the apps it started.
void attach(Context& ctx, const std::vector<core::AppDecl>& decls, const std::vector<int>& ids,
            bool stop_after) {
  ctx.end_transaction();  // following holds no lock: other pmctl commands go on meanwhile
  std::string names;
  for (const auto& d : decls) {
    names += names.empty() ? "" : "|";
    for (char c : d.name)
      names += (c == '.' || c == '+') ? std::string("\\") + c : std::string(1, c);
  }
  const std::string target = decls.size() == 1 ? decls.front().name : "/^(" + names + ")$/";
  if (stop_after) catch_stop_signals(on_interrupt);
  follow_app_logs(ctx, target, [] { return g_interrupted != 0; });
  if (!stop_after) return;
  ctx.begin_transaction("pmctl start --no-daemon (stopping on a signal)");
  for (int id : ids) ctx.lifecycle().stop(id);
  say("stopped " + std::to_string(ids.size()) + " app(s): pmctl --no-daemon was interrupted");
}

core::AppDecl build_decl(const StartOptions& o, Context& ctx) {
  // PM2 7 starts the script and takes nothing from --env: there is no env_NAME to take.
  if (!o.env_name.empty())
    warn("--env '" + o.env_name + "' takes env_" + o.env_name +
         " from an ecosystem file, and there is none here: the app starts with its own "
         "environment (set single variables with --setenv KEY=VALUE)");
  core::AppDecl decl;
  decl.cwd = working_dir(o, ctx);
  const char* path = std::getenv("PATH");
  const std::string path_env = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::optional<std::string> interpreter;
  if (o.has("--interpreter")) interpreter = o.interpreter;
  const core::Launch launch =
      core::resolve_launch(o.targets.front(), decl.cwd, interpreter, path_env);
  decl.name = o.has("--name") ? o.name : launch.default_name;
  if (o.has("--namespace")) decl.ns = o.ns;
  decl.script = launch.script;
  decl.command_string = launch.command_string;
  decl.interpreter = launch.interpreter;
  decl.interpreter_args = core::split_args(o.interpreter_args);
  decl.args = ctx.script_args;
  apply_policy(start_overrides(o), decl.restart);
  decl.logs = log_settings(o.logs, o.given, decl.cwd, decl.name, ctx.scope());
  decl.env = inherited_env(environ, o.filter_env, decl.cwd);
  for (const auto& item : o.setenv) {
    auto [key, value] = core::parse_assignment(item, "--setenv");
    decl.env[key] = value;
  }
  apply_pm2_flags(o.pm2, o.given, ctx.scope(), decl);
  return decl;
}

/// PM2 treats a word that names registered apps (name, namespace, id, `all`) as "start them".
std::optional<std::vector<int>> registered_targets(const StartOptions& o, Context& ctx) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  for (const auto& t : o.targets) {
    if (t.find('/') != std::string::npos || t.find(' ') != std::string::npos) return std::nullopt;
    bool known = t == "all";
    for (const auto& app : data.apps)
      known = known || app.decl.name == t || app.decl.ns == t || std::to_string(app.id) == t;
    if (!known) return std::nullopt;
  }
  return core::resolve_targets(data, o.targets, ctx.cwd());
}

/// `pmctl start` alone starts ./ecosystem.config.js, as PM2 does.
std::string default_ecosystem(Context& ctx) {
  const std::string file = "ecosystem.config.js";
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(ctx.cwd()) / file, ec))
    throw core::Error("nothing to start: no target given and no " + file + " in " + ctx.cwd(),
                      "pass a script or an ecosystem file, or create one with 'pmctl init'", 2);
  return file;
}

/// With --wait-ready a failed start job is almost always the app not saying ready in time.
int start_new(const core::AppDecl& decl, bool force, Context& ctx) {
  try {
    return ctx.lifecycle().start_new(decl, force);
  } catch (const core::ManagerError& e) {
    if (!decl.wait_ready || e.name() != core::kJobFailed) throw;
    throw core::Error(
        "'" + decl.name + "' did not say ready within " + std::to_string(decl.listen_timeout_ms) +
            " ms, or exited before it did",
        "call process.send('ready') once the app can serve, or raise --listen-timeout; "
        "'pmctl logs' shows what it printed");
  }
}

/// Instances: a pool, or cluster mode's instances and their balancer. Returns once every
/// instance accepts on its endpoint (a pool has none), or after listen_timeout with a warning
/// (the balancer skips one that does not).
std::vector<int> start_cluster(const core::AppDecl& decl, Context& ctx, bool table = true) {
  const auto& c = decl.cluster;
  const std::string mode = std::string(core::exec_mode_of(decl)) + "_mode (";
  if (c.balanced())
    say("Starting " + decl.script + " in " + mode + std::to_string(c.instances) +
        " instance(s) behind port " + std::to_string(c.public_port) + ")");
  else
    say("Starting " + decl.script + " in " + mode + std::to_string(c.instances) +
        " instance(s), a pool: no public port)");
  const auto ids = ctx.lifecycle().start_cluster(decl);
  if (decl.autostart) {
    const auto late =
        ctx.lifecycle().not_listening(ids, std::chrono::milliseconds(decl.listen_timeout_ms));
    for (const auto& endpoint : late)
      warn("an instance of '" + decl.name + "' does not accept connections on " + endpoint +
           " yet (it must listen on $PORT)");
  }
  say("Done: '" + decl.name + "' has ids " + std::to_string(ids.front()) + "-" +
      std::to_string(ids.back()));
  if (table) print_process_table(ctx);
  return ids;
}

void run_start(StartOptions o, Context& ctx) {
  if (o.targets.empty()) o.targets.push_back(default_ecosystem(ctx));
  if (o.targets.size() == 1 && names_ecosystem(o.targets.front()))
    return run_file_action(FileAction::Start, o.targets.front(), {o.env_name, o.only, o.force},
                           ctx);
  if (!o.only.empty())
    throw core::Error("--only needs an ecosystem file",
                      "pmctl start ecosystem.config.js --only api", 2);
  if (auto ids = registered_targets(o, ctx)) {
    // PM2: options given with the names of registered apps apply to them (restart with them).
    AppOverrides overrides = start_overrides(o);
    if (ctx.script_args_given) overrides.args = ctx.script_args;
    const auto decls =
        overrides.any() ? redeclared(ctx, *ids, overrides) : std::map<int, core::AppDecl>{};
    for (int id : *ids)
      if (decls.empty())
        ctx.lifecycle().start(id);
      else
        ctx.lifecycle().restart_as(id, decls.at(id));
    say("started " + std::to_string(ids->size()) + " app(s)");
    print_process_table(ctx);
    return;
  }
  // PM2: several scripts in one start are each an app of their own. Every one is checked
  // before any starts, and a name or namespace pmctl would refuse is refused here, before the
  // first "Starting" line.
  if (o.targets.size() > 1 && o.has("--name"))
    throw core::Error(
        "--name names one app, and " + std::to_string(o.targets.size()) + " scripts were given",
        "start them one by one to name each, or leave --name out (each is named "
        "after its script); the script's own arguments go after '--'",
        2);
  std::vector<core::AppDecl> decls;
  for (const auto& target : o.targets) {
    StartOptions one = o;
    one.targets = {target};
    decls.push_back(build_decl(one, ctx));
    core::validate_app_name(decls.back().name);
    core::validate_namespace(decls.back().ns);
  }
  for (const auto& decl : decls) warn_before_start(decl, ctx);
  std::vector<int> started;  // all or nothing: a later one failing removes the earlier ones
  try {
    for (const auto& decl : decls) {
      if (decl.cluster.enabled) {
        const auto ids = start_cluster(decl, ctx, decls.size() == 1);
        started.insert(started.end(), ids.begin(), ids.end());
        continue;
      }
      say("Starting " + decl.script + " in fork_mode (1 instance)");
      started.push_back(start_new(decl, o.force, ctx));
      say("Done: '" + decl.name + "' has id " + std::to_string(started.back()));
    }
  } catch (...) {
    for (int id : started) {
      try {
        ctx.lifecycle().remove(id);
      } catch (const std::exception&) {
        // the error that stopped the start is the one to report
      }
    }
    throw;
  }
  if (decls.size() > 1 || !decls.front().cluster.enabled) print_process_table(ctx);
  if (o.attach || o.no_daemon) attach(ctx, decls, started, o.no_daemon);
}

void add_start_options(CLI::App* cmd, StartOptions* opts) {
  cmd->add_option("target", opts->targets,
                  "Script, binary, \"command string\", ecosystem file (- = JSON on stdin; default "
                  "./ecosystem.config.js), or a registered name|id|namespace|all");
  cmd->add_option("-n,--name", opts->name, "App name (default: script name without extension)");
  cmd->add_option("--namespace", opts->ns, "Namespace (default: default)");
  cmd->add_option("--cwd", opts->cwd, "Working directory (default: the current one)");
  cmd->add_option("--interpreter", opts->interpreter,
                  "Interpreter, or 'none' to run the script directly");
  cmd->add_option("--interpreter-args,--node-args", opts->interpreter_args,
                  "Arguments for the interpreter");
  cmd->add_option("--setenv", opts->setenv, "Add KEY=VALUE to the app's environment (repeatable)");
  cmd->add_option("--filter-env", opts->filter_env,
                  "Do not inherit variables whose name contains this (repeatable)");
  cmd->add_option("--env", opts->env_name, "Ecosystem environment name (env_<name>)");
  cmd->add_option("--only", opts->only, "With an ecosystem file: only these apps (a,b)");
  cmd->add_flag("-f,--force", opts->force, "Start another copy even if one of that name runs");
  cmd->add_flag("--attach", opts->attach, "Then follow the apps' output (Ctrl-C: they run on)");
  cmd->add_flag("--no-daemon", opts->no_daemon,
                "Then follow their output, and stop them on Ctrl-C or SIGTERM (containers)");
  cmd->add_flag("--no-autorestart", opts->no_autorestart, "Do not restart the app when it exits");
  cmd->add_option("--restart-delay", opts->restart_delay,
                  "Delay before an automatic restart (ms, or 2s)");
  cmd->add_option("--exp-backoff-restart-delay", opts->exp_backoff,
                  "Exponential back-off: first delay (ms)");
  cmd->add_option("--max-restarts", opts->max_restarts,
                  "Unstable restarts before 'errored' (default 16)");
  cmd->add_option("--min-uptime", opts->min_uptime,
                  "A run shorter than this is unstable (default 1000 ms)");
  cmd->add_option("-k,--kill-timeout", opts->kill_timeout,
                  "SIGINT, then SIGKILL after this (default 1600 ms)");
  cmd->add_option("--stop-exit-codes", opts->stop_exit_codes,
                  "Exit codes that do not trigger a restart");
  add_log_options(*cmd, opts->logs);
  add_pm2_flags(*cmd, opts->pm2);
}

/// pm2-dev: one script, watched, in the foreground (run_dev).
core::AppDecl dev_decl(StartOptions o, Context& ctx) {
  if (o.targets.size() != 1 || names_ecosystem(o.targets.front()))
    throw core::Error("pmctl dev runs one script", "pmctl dev app.js [start options]", 2);
  if (o.attach || o.no_daemon || o.has("--only") || o.has("--env"))
    throw core::Error(
        "pmctl dev stays in the foreground by itself: no --attach, --no-daemon, "
        "--only or --env",
        "pmctl dev app.js", 2);
  if (o.has("--instances"))
    throw core::Error("pmctl dev runs one process: no -i", "pmctl dev app.js", 2);
  core::AppDecl decl = build_decl(o, ctx);
  core::validate_app_name(decl.name);
  core::validate_namespace(decl.ns);
  decl.watch.enabled = true;
  decl.restart.autorestart = false;  // an exit ends the session with the app's code
  return decl;
}

}  // namespace

void register_start(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<StartOptions>();
  CLI::App* cmd = app.add_subcommand(
      "start", "Start a script, binary or \"command string\", or start registered apps again");
  add_start_options(cmd, opts.get());
  cmd->callback([opts, cmd, &ctx] {
    for (const CLI::Option* opt : cmd->get_options())
      if (opt->count() > 0) opts->given.insert(opt->get_name());
    run_start(*opts, ctx);
  });

  auto dev_opts = std::make_shared<StartOptions>();
  CLI::App* dev = app.add_subcommand(
      "dev",
      "PM2's pm2-dev: run a script in the foreground, restarted when its files change, with "
      "timestamped output; Ctrl-C stops and deletes it; its exit code is pmctl's");
  add_start_options(dev, dev_opts.get());
  dev->callback([dev_opts, dev, &ctx] {
    for (const CLI::Option* opt : dev->get_options())
      if (opt->count() > 0) dev_opts->given.insert(opt->get_name());
    run_dev(dev_decl(*dev_opts, ctx), ctx);
  });
}

}  // namespace pmctl::cli
