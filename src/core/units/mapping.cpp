#include "core/units/mapping.hpp"

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <limits>
#include <string_view>

#include "core/base/interpreter.hpp"
#include "core/cluster/cluster.hpp"
#include "core/units/balancer_units.hpp"
#include "core/units/log_mapping.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

constexpr std::uint64_t kUsecPerMsec = 1000;
constexpr std::uint64_t kInfinity = std::numeric_limits<std::uint64_t>::max();
constexpr const char* kDefaultInstanceVar = "NODE_APP_INSTANCE";
constexpr const char* kEnableSourceMaps = "--enable-source-maps";

bool is_node(std::string_view interpreter) { return program_name(interpreter).starts_with("node"); }

// PM2 7's process.setSourceMapsEnabled(true), as node's own flag: node reads the maps itself.
// Not twice when the app's node_args already have it.
bool uses_source_maps(const AppDecl& app) {
  return app.source_maps && is_node(app.interpreter) &&
         std::find(app.interpreter_args.begin(), app.interpreter_args.end(), kEnableSourceMaps) ==
             app.interpreter_args.end();
}

// PM2's exp_backoff_restart_delay, which systemd 252 lacks (RestartSteps= came in 254). It runs
// as ExecStartPre, so it also delays the very first start: pmctl writes kBackoffFresh ("-1 0")
// before each manual start, which means "no delay". The state file holds
// "<delay just used> <epoch ms when the app started>". A previous run that lasted over 30 s
// resets the curve to the initial delay (PM2's EXP_BACKOFF_RESET_TIMER); otherwise the delay
// grows by 1.5 up to 15 s, in integers exactly like PM2's floor(min(15000, prev * 1.5)). The state
// is written before sleeping so a stop during the sleep still leaves it consistent. PATH is only
// appended to: the app's PATH may lack /usr/bin, and prepending would hide a test's fake sleep.
constexpr std::string_view kBackoffScript =
    "PATH=\"$PATH:/usr/bin:/bin\"; f=$1; initial=$2; now=$(date +%s%3N); prev=-1; last=0; "
    "{ read -r prev last < \"$f\"; } 2>/dev/null; "
    "case $prev in ''|*[!0-9]*) prev=-1;; esac; "
    "case $last in ''|*[!0-9]*) prev=-1;; esac; "
    "if [ $prev -lt 0 ]; then delay=0; "
    "elif [ $((now - last)) -gt 30000 ] || [ $prev -eq 0 ]; then delay=$initial; "
    "else delay=$((prev * 3 / 2)); [ $delay -le 15000 ] || delay=15000; fi; "
    "echo \"$delay $((now + delay))\" > \"$f\"; "
    "exec sleep $((delay / 1000)).$(printf %03d $((delay % 1000)))";

std::vector<std::string> app_argv(const AppDecl& app, const InstanceContext& ctx) {
  // PM2 ignores args for a command string; the shell gets the string as one word.
  if (app.command_string) return {ctx.shell, "-c", app.script};
  std::vector<std::string> argv;
  if (!app.interpreter.empty()) {
    argv.push_back(app.interpreter);
    if (uses_source_maps(app)) argv.push_back(kEnableSourceMaps);
    argv.insert(argv.end(), app.interpreter_args.begin(), app.interpreter_args.end());
  }
  argv.push_back(app.script);
  argv.insert(argv.end(), app.args.begin(), app.args.end());
  return argv;
}

// PM2's wait_ready: the start job ends when the app says READY=1 (process.send('ready') through
// the preload runs systemd-notify, hence NotifyAccess=all), and fails after listen_timeout.
// Otherwise the start job ends once the program has been executed.
void add_type(std::vector<Property>& props, const AppDecl& app) {
  if (!app.wait_ready) {
    props.push_back({"Type", std::string("exec")});
    return;
  }
  props.push_back({"Type", std::string("notify")});
  props.push_back({"NotifyAccess", std::string("all")});
  props.push_back({"TimeoutStartUSec", app.listen_timeout_ms * 1000});
}

// no-env-expand as well: the script is full of `$`, and systemd must not rewrite any of it.
void add_backoff(std::vector<Property>& props, const AppDecl& app, const InstanceContext& ctx) {
  const std::uint64_t initial = app.restart.exp_backoff_ms;
  if (initial == 0) return;
  std::vector<std::string> argv = {ctx.shell,
                                   "-c",
                                   std::string(kBackoffScript),
                                   "pmctl-backoff",
                                   ctx.backoff_state,
                                   std::to_string(initial)};
  std::vector<std::string> flags = {"ignore-failure", "no-env-expand"};
  // The state file is root's: under User= the script must keep root's rights to update it.
  if (!app.user.empty()) flags.push_back("privileged");
  props.push_back({"ExecStartPreEx", std::vector<ExecCommand>{{ctx.shell, argv, flags}}});
  // The back-off sleeps inside the start phase; the default 90 s start timeout must not cut it.
  props.push_back({"TimeoutStartUSec", kInfinity});
}

// PM2 restarts on any exit, 0 included. PM2 stops an app after max_restarts "unstable" runs
// (shorter than min_uptime), counted only within min_uptime * max_restarts of the last manual
// start. systemd's start limit counts every start in a window of that length instead, and
// refuses the start after `burst` of them, so the unit fails with start-limit-hit (errored).
// A loop of runs shorter than min_uptime hits it as in PM2, but at any time, not only in the
// first window (PM2's "max_restarts not honored", Unitech/pm2#718). min_uptime 0 disables it.
void add_restart_policy(std::vector<Property>& props, const RestartPolicy& policy) {
  props.push_back({"Restart", std::string(policy.autorestart ? "always" : "no")});
  // PM2's exp back-off overrides restart_delay; its delay lives in ExecStartPre instead.
  const std::uint64_t delay = policy.exp_backoff_ms > 0 ? 0 : policy.restart_delay_ms;
  props.push_back({"RestartUSec", delay * kUsecPerMsec});
  if (!policy.stop_exit_codes.empty()) {
    const ExitStatusSet codes{policy.stop_exit_codes, {}};
    props.push_back({"RestartPreventExitStatus", codes});
    // Also a success, so that such an exit leaves the unit inactive (stopped), not failed.
    props.push_back({"SuccessExitStatus", codes});
  }
  const std::uint32_t burst = std::max<std::uint32_t>(1, policy.max_restarts);
  props.push_back({"StartLimitIntervalUSec", policy.min_uptime_ms * burst * kUsecPerMsec});
  props.push_back({"StartLimitBurst", burst});
}

// PM2 sends SIGINT to the whole process tree, then SIGKILL after kill_timeout. With treekill
// off PM2 signals only the main process and forgets its children; KillMode=mixed signals only
// the main process too, but SIGKILLs whatever is left in the cgroup at the end of the stop, so
// a stopped app never leaves processes behind (systemd.kill(5) advises against `process`).
void add_kill(std::vector<Property>& props, const AppDecl& app) {
  props.push_back({"KillSignal", std::int32_t{SIGINT}});
  props.push_back({"TimeoutStopUSec", app.restart.kill_timeout_ms * kUsecPerMsec});
  props.push_back({"SendSIGKILL", true});
  props.push_back({"KillMode", std::string(app.treekill ? "control-group" : "mixed")});
}

// uid/gid. The environment file is read by the manager before it drops privileges, so it can
// stay root-only.
void add_identity(std::vector<Property>& props, const AppDecl& app) {
  if (!app.user.empty()) props.push_back({"User", app.user});
  if (!app.group.empty()) props.push_back({"Group", app.group});
}

// PM2 checks the main process's RSS every 30 s and reloads the app once it is over the limit;
// pmctl-memguard does that (every second). Above it, where the cgroup has a memory controller,
// the kernel's MemoryMax= is the safety net: the OOM killer kills a process, OOMPolicy=stop
// stops the unit (Result=oom-kill), and Restart= starts it again.
void add_memory_limit(std::vector<Property>& props, const AppDecl& app) {
  if (app.max_memory_bytes == 0) return;
  props.push_back({"MemoryMax", kernel_memory_cap(app.max_memory_bytes)});
  props.push_back({"OOMPolicy", std::string("stop")});
}

// The user manager ignores LogExtraFields (journald does not trust it), so they are only sent
// where they work; readers match on the unit name everywhere.
void add_logging(std::vector<Property>& props, const AppDecl& app, const InstanceContext& ctx) {
  if (ctx.scope != Scope::System) return;
  props.push_back(
      {"LogExtraFields", ByteArrays{{"PMCTL_APP=" + app.name, "PMCTL_ID=" + std::to_string(ctx.id),
                                     "PMCTL_NAMESPACE=" + app.ns}}});
}

// Cluster mode: each instance listens on its own endpoint, which PORT names; in shared mode
// every instance accepts on the public port's socket (fd 3), and PORT is the public port.
void add_cluster_env(std::map<std::string, std::string>& env, const AppDecl& app,
                     const InstanceContext& ctx) {
  if (!app.cluster.enabled) return;  // a pool: PORT is the app's own
  if (app.cluster.shared())
    env["PORT"] = std::to_string(app.cluster.public_port);
  else if (!ctx.endpoint.empty())
    env["PORT"] = port_env_value(ctx.endpoint);
  if (app.increment_var.empty()) return;
  long long base = 0;
  if (const auto it = app.env.find(app.increment_var); it != app.env.end()) {
    try {
      base = std::stoll(it->second);
    } catch (const std::exception&) {
      base = 0;  // validate_cluster refuses this before any start
    }
  }
  env[app.increment_var] = std::to_string(base + ctx.instance);
}

// A unix endpoint left behind by a killed instance would make the next listen() fail with
// EADDRINUSE: remove it before each start.
void add_socket_cleanup(std::vector<Property>& props, const InstanceContext& ctx) {
  const std::string path = unix_socket_path(ctx.endpoint);
  if (path.empty()) return;
  props.push_back(
      {"ExecStartPreEx",
       std::vector<ExecCommand>{{ctx.shell,
                                 {ctx.shell, "-c", "exec rm -f -- \"$1\"", "pmctl-unlink", path},
                                 {"no-env-expand"}}}});
}

bool is_python(std::string_view interpreter) {
  return program_name(interpreter).starts_with("python");
}

}  // namespace

std::map<std::string, std::string> injected_env(const AppDecl& app, const InstanceContext& ctx) {
  std::map<std::string, std::string> env = {
      {"pm_id", std::to_string(ctx.id)},
      {"name", app.name},
      {"namespace", app.ns},
  };
  // PM2's instance_var; a registry from before it existed has the default.
  env[app.instance_var.empty() ? kDefaultInstanceVar : app.instance_var] =
      std::to_string(ctx.instance);
  // Python block-buffers a pipe; unbuffered, each line reaches the journal when printed.
  if (is_python(app.interpreter)) env["PYTHONUNBUFFERED"] = "1";
  add_cluster_env(env, app, ctx);
  if (uses_node_preload(app)) {
    const auto own = app.env.find("NODE_OPTIONS");
    env["NODE_OPTIONS"] = "--require " + ctx.node_preload +
                          (own != app.env.end() && !own->second.empty() ? " " + own->second : "");
    if (app.shutdown_with_message) env["PMCTL_SHUTDOWN_WITH_MESSAGE"] = "1";
    // A listen() on the public port becomes a listen() on the instance's own endpoint.
    if (app.cluster.balanced()) env["PMCTL_PUBLIC_PORT"] = std::to_string(app.cluster.public_port);
    // Shared mode: that listen() takes the socket systemd passed (the first, fd 3) instead.
    if (app.cluster.shared()) env["PMCTL_LISTEN_FD"] = "3";
  }
  return env;
}

bool uses_node_preload(const AppDecl& app) {
  return app.node_shim && is_node(app.interpreter) &&
         (app.wait_ready || app.shutdown_with_message || app.cluster.balanced());
}

UnitSpec map_service(const AppDecl& app, const InstanceContext& ctx) {
  UnitSpec spec{service_unit_name(app.name, ctx.id, ctx.slot), {}};
  auto& props = spec.properties;
  std::string description = "pmctl app '" + app.name + "' (id " + std::to_string(ctx.id);
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about one long concatenation.
  if (app.cluster.enabled)
    description.append(", cluster instance ").append(std::to_string(ctx.instance));
  description.push_back(')');
  props.push_back({"Description", description});
  add_type(props, app);
  props.push_back({"Slice", app_slice_name(app.name)});
  // Shared mode: a unit file (transient services cannot take Sockets=) that inherits the public
  // port's listening socket from the app's socket unit.
  if (app.cluster.shared()) {
    const std::string socket =
        ctx.socket_unit.empty() ? balancer_unit_base(app.name) + ".socket" : ctx.socket_unit;
    props.push_back({"Sockets", std::vector<std::string>{socket}});
  }
  props.push_back({"WorkingDirectory", app.cwd});
  // Environment= would be readable by every local user over D-Bus; the file is 0600.
  props.push_back({"EnvironmentFiles", std::vector<EnvironmentFile>{{ctx.env_file, false}}});
  add_identity(props, app);
  add_output(props, app, ctx, app_argv(app, ctx));  // ExecStartEx, log files, pid file
  add_socket_cleanup(props, ctx);
  add_backoff(props, app, ctx);
  add_restart_policy(props, app.restart);
  add_kill(props, app);
  add_logging(props, app, ctx);
  props.push_back({"CPUAccounting", true});
  props.push_back({"MemoryAccounting", true});
  add_memory_limit(props, app);
  return spec;
}

}  // namespace pmctl::core
