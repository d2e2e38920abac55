// PM2's start flags beyond the restart and log ones: the same meaning as the ecosystem field of
// the same name (docs/ecosystem-fields.md), or a clear refusal.
#include "cli/pm2_flags.hpp"

#include <unistd.h>

#include <optional>
#include <string>

#include "core/base/accounts.hpp"
#include "core/base/envfile.hpp"
#include "core/cluster/cluster.hpp"
#include "core/cluster/cluster_probes.hpp"
#include "core/fields/parse.hpp"
#include "core/types/error.hpp"
#include "core/units/watch_units.hpp"

namespace pmctl::cli {
namespace {

[[noreturn]] void refuse(const std::string& flag, const std::string& why, const std::string& hint) {
  throw core::Error(flag + ": " + why, hint);
}

// PM2's -i: any value but 1 (max, 0 and -1 too, whatever the CPU count) means instances: behind
// a balancer with a public port (cluster mode), else a pool of workers.
void apply_cluster(const Pm2Flags& f, const std::set<std::string>& given, core::AppDecl& decl) {
  const bool instances = given.count("--instances") > 0;
  if (instances) {
    decl.cluster.instances = core::resolve_instances(f.instances, core::online_cpus(), "-i");
    decl.cluster.enabled = core::asks_for_cluster(f.instances);
  }
  for (const char* flag : {"--instance-endpoint", "--lb-policy", "--lb"})
    if (given.count(flag) && !decl.cluster.enabled)
      refuse(flag, "only cluster mode has a balancer and instance endpoints",
             "add -i N (N > 1, or max)");
  if (!decl.cluster.enabled) return;
  const auto text_of = [&](const char* flag, const std::string& value) {
    return given.count(flag) ? std::optional<std::string>(value) : std::nullopt;
  };
  const core::ClusterText text{text_of("--instance-endpoint", f.instance_endpoint),
                               text_of("--lb-policy", f.lb_policy), text_of("--lb", f.lb)};
  decl.cluster.public_port = core::has_public_port(decl) ? core::public_port_of(decl) : 0;
  if (!decl.cluster.balanced()) core::check_pool_text(text, decl.name);
  core::apply_cluster_text(text, decl.cluster);
  core::validate_cluster(decl);
}

void apply_identity(const Pm2Flags& f, const std::set<std::string>& given, core::Scope scope,
                    core::AppDecl& decl) {
  const bool uid = given.count("--uid") > 0, gid = given.count("--gid") > 0;
  if ((uid || gid) && (scope != core::Scope::System || geteuid() != 0))
    refuse(uid ? "--uid" : "--gid",
           "only root on the system manager can run an app as another user",
           "run as root without --user");
  if (uid) {
    const auto account = core::find_user(f.uid);
    if (!account) refuse("--uid", "no user '" + f.uid + "'", "pass an existing user name or uid");
    decl.user = f.uid;
    // As PM2: HOME is the user's (and USER/LOGNAME, which the env file would otherwise override).
    decl.env["HOME"] = account->home;
    decl.env["USER"] = decl.env["LOGNAME"] = account->name;
  }
  if (gid) {
    if (!core::group_exists(f.gid))
      refuse("--gid", "no group '" + f.gid + "'", "pass an existing group");
    decl.group = f.gid;
  }
}

// PM2's --watch [paths], --ignore-watch (names split on spaces and commas) and --watch-delay.
void apply_watch(const Pm2Flags& f, const std::set<std::string>& given, core::AppDecl& decl) {
  const bool watch = given.count("--watch") > 0;
  for (const char* flag : {"--ignore-watch", "--watch-delay"})
    if (given.count(flag) && !watch) refuse(flag, "only matters with --watch", "add --watch");
  if (!watch) return;
  decl.watch.enabled = true;
  for (const auto& path : f.watch_paths)
    if (!path.empty()) decl.watch.paths.push_back(core::watch_path(decl.cwd, path));
  for (const auto& item : f.ignore_watch) {
    std::size_t start = 0;
    while ((start = item.find_first_not_of(" ,", start)) != std::string::npos) {
      const std::size_t end = item.find_first_of(" ,", start);
      decl.watch.ignore.push_back(item.substr(start, end - start));
      start = end;
    }
  }
  if (given.count("--watch-delay"))
    decl.watch.delay_ms = core::parse_seconds_or_duration_ms(f.watch_delay, "--watch-delay");
}

}  // namespace

void add_pm2_flags(CLI::App& cmd, Pm2Flags& f) {
  cmd.add_option("-i,--instances", f.instances,
                 "Cluster mode: N instances (max or 0: one per CPU, -1: one less) behind a "
                 "balancer on --port");
  cmd.add_option("--instance-endpoint", f.instance_endpoint,
                 "Cluster mode: each instance's PORT is a loopback port (tcp, default) or a unix "
                 "socket path (unix)");
  cmd.add_option("--lb-policy", f.lb_policy,
                 "Cluster mode: rr (round-robin, default) or leastconn");
  cmd.add_option("--lb", f.lb,
                 "Cluster mode: proxy (pmctl-balancer, default) or shared (every instance accepts "
                 "on the one socket)");
  cmd.add_option("--max-memory-restart", f.max_memory,
                 "Restart past this memory (200M, 1G): MemoryMax=");
  cmd.add_option("--uid", f.uid, "Run as this user (root only)");
  cmd.add_option("--gid", f.gid, "Run with this group (root only)");
  cmd.add_option("--port", f.port,
                 "Sets PORT in the app's environment; cluster mode: the public port");
  cmd.add_flag("--no-autostart", f.no_autostart, "Register the app without starting it");
  cmd.add_flag("--no-treekill", f.no_treekill,
               "Stop signal to the main process only (KillMode=mixed)");
  cmd.add_flag("--no-vizion", f.no_vizion, "No git metadata (versioning) in jlist and describe");
  cmd.add_option("--watch", f.watch_paths,
                 "Restart (reload: cluster, pool) when files change under the app's cwd, or "
                 "under PATH (repeatable)")
      ->expected(0, 1)
      ->type_name("[PATH]");
  cmd.add_option("--ignore-watch", f.ignore_watch,
                 "Names, paths or globs that --watch ignores (default: dotfiles, node_modules)");
  cmd.add_option("--watch-delay", f.watch_delay,
                 "Gather changes this long before restarting: seconds, or 500ms");
  cmd.add_option("--instance-var", f.instance_var,
                 "The variable that holds the instance number (default NODE_APP_INSTANCE)");
  cmd.add_option(
      "-c,--cron,--cron-restart", f.cron,
      "Restart (reload: cluster, pool) on this cron schedule, 5 fields or 6 with seconds "
      "first; 0: none");
  cmd.add_flag("--wait-ready", f.wait_ready, "Online only after process.send('ready') (READY=1)");
  cmd.add_flag("--shutdown-with-message", f.shutdown_with_message,
               "Stop with a 'shutdown' message (node)");
  cmd.add_option("--listen-timeout", f.listen_timeout,
                 "How long --wait-ready waits (default 3000 ms)");
  cmd.add_flag(
      "--no-shim", f.no_shim,
      "Node apps: no pmctl preload (no process.send, no listen() on the public port rewritten)");
  cmd.add_flag("--source-map-support", f.source_map_support,
               "Node apps: --enable-source-maps (the default, as in PM2 7)");
  cmd.add_flag("--disable-source-map-support", f.disable_source_map_support,
               "Node apps: no --enable-source-maps");
  for (const char* name :
       {"-x,--execute-command", "--no-pmx", "--no-automation", "--disable-trace"})
    cmd.add_flag(name, f.no_op, "Accepted; changes nothing in pmctl (PM2 compatibility)");
}

void apply_pm2_flags(const Pm2Flags& f, const std::set<std::string>& given, core::Scope scope,
                     core::AppDecl& decl) {
  apply_watch(f, given, decl);
  if (given.count("--instance-var")) {
    if (!core::valid_env_name(f.instance_var))
      refuse("--instance-var", "'" + f.instance_var + "' is not an environment variable name",
             "letters, digits and _, not starting with a digit");
    decl.instance_var = f.instance_var;
  }
  if (given.count("--cron")) decl.cron_restart = core::parse_cron_pattern(f.cron, "--cron-restart");
  decl.wait_ready = f.wait_ready;
  decl.shutdown_with_message = f.shutdown_with_message;
  decl.node_shim = !f.no_shim;
  // On by default; --source-map-support only says so. Disabling wins, as in PM2.
  decl.source_maps = !f.disable_source_map_support;
  if (given.count("--listen-timeout"))
    decl.listen_timeout_ms = core::parse_duration_ms(f.listen_timeout, "--listen-timeout");
  if (given.count("--max-memory-restart"))
    decl.max_memory_bytes = core::parse_size_bytes(f.max_memory, "--max-memory-restart");
  if (given.count("--port")) decl.env["PORT"] = std::to_string(core::parse_count(f.port, "--port"));
  decl.autostart = !f.no_autostart;
  decl.treekill = !f.no_treekill;
  decl.vizion = !f.no_vizion;
  apply_identity(f, given, scope, decl);
  apply_cluster(f, given, decl);
}

}  // namespace pmctl::cli
