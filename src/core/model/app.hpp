#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

/// PM2's restart and stop settings, with PM2's defaults.
struct RestartPolicy {
  bool autorestart = true;
  std::uint64_t restart_delay_ms = 0;  ///< PM2 restarts at once; systemd's own default is 100 ms.
  std::uint64_t exp_backoff_ms = 0;    ///< Initial delay of PM2's exponential back-off; 0 = off.
  std::uint32_t max_restarts = 16;
  std::uint64_t min_uptime_ms = 1000;
  std::vector<int> stop_exit_codes;
  std::uint64_t kill_timeout_ms = 1600;

  bool operator==(const RestartPolicy&) const = default;
};

/// Where an app's output goes besides the journal (PM2's out_file, error_file, log_file, ...).
/// Paths are absolute as declared, before PM2's `-<id>` suffix (applied at start unless
/// `merge_logs`). Empty = not declared. "/dev/null" = discard that stream (PM2 also accepts NULL).
struct LogSettings {
  std::string out_file;
  std::string error_file;
  std::string log_file;    ///< Both streams in one file.
  bool merge_logs = true;  ///< PM2's fork-mode default; false inserts `-<id>` before the extension.
  std::string date_format;  ///< dayjs format prefixed to each line ("" = none); `time` sets one.
  bool json = false;        ///< log_type: json.
  bool disabled = false;    ///< disable_logs: drop output entirely.
  /// pmctl's `journal: false` / --no-journal: pmctl-logwriter writes the files and nothing goes
  /// to the journal (docs/file-logs.md, "Without the journal").
  bool journal = true;
  std::string pid_file;  ///< Always suffixed `-<id>` like PM2; written at start, removed at stop.

  bool operator==(const LogSettings&) const = default;
};

/// A cluster instance's private endpoint: a loopback port, or a unix socket.
enum class Endpoints { Tcp, Unix };
/// The balancer's policy.
enum class Policy { RoundRobin, LeastConnections };
/// How connections reach the instances: through pmctl-balancer, or every instance inherits the
/// socket unit's listening socket and the kernel spreads the accepts.
enum class LbMode { Proxy, Shared };

// The words users write (--instance-endpoint, lb_policy, --lb) and the registry keeps, one table
// per enum read both ways: tcp | unix, rr | leastconn, proxy | shared. The *_from_string
// functions return nullopt for any other word.
std::string_view to_string(Endpoints e);
std::string_view to_string(Policy p);
std::string_view to_string(LbMode m);
std::optional<Endpoints> endpoints_from_string(std::string_view text);
std::optional<Policy> policy_from_string(std::string_view text);
std::optional<LbMode> lb_mode_from_string(std::string_view text);

/// PM2's watch: a change under the watched paths restarts the app (reloads a cluster or pool
/// app). pmctl-watch does it, as the app's companion unit (core/units/watch_units.hpp).
struct WatchSettings {
  bool enabled = false;
  /// Absolute paths to watch, directories recursively; empty = the app's cwd (PM2's watch: true).
  std::vector<std::string> paths;
  /// PM2's ignore_watch, as written; empty = PM2's default: dotfiles (.git too) and node_modules.
  std::vector<std::string> ignore;
  std::uint64_t delay_ms = 0;   ///< watch_delay: how long changes are gathered before a restart
  bool follow_symlinks = true;  ///< watch_options.followSymlinks (chokidar's default: true)

  bool operator==(const WatchSettings&) const = default;
};

/// PM2's instances as pmctl runs them: N instance units of one app. With a public port they sit
/// behind one balancer that owns it (cluster mode, docs/usage.md "Cluster mode"); without one
/// they are a pool of workers, side by side, each its own unit (docs/usage.md "Worker pools").
struct ClusterSettings {
  bool enabled = false;           ///< Instances (a pool or a cluster), not one fork-mode app.
  int instances = 1;              ///< As resolved when the app was started (PM2's `instances`).
  std::uint16_t public_port = 0;  ///< The balancer's port, on every IPv4 address; 0: a pool.
  Endpoints endpoints = Endpoints::Tcp;
  Policy policy = Policy::RoundRobin;
  LbMode lb = LbMode::Proxy;
  /// PM2's `exec_mode: fork` was declared with the instances: a pool, whatever PORT says, shown
  /// as fork_mode.
  bool fork = false;
  /// Behind a balancer (a public port): endpoints, a balancer unit, reloads that drain.
  bool balanced() const { return enabled && public_port != 0; }
  bool shared() const { return balanced() && lb == LbMode::Shared; }

  bool operator==(const ClusterSettings&) const = default;
};

struct AppDecl;
/// PM2's exec_mode of an app, "cluster" or "fork": cluster behind a balancer, and for a Node
/// app's instances not declared fork; PM2 runs other languages' instances in fork mode.
std::string_view exec_mode_of(const AppDecl& d);

/// One app as declared by the user (CLI flags today, ecosystem files later), fully resolved:
/// paths are absolute and the environment is complete, so starting it again after a reboot does
/// not depend on the caller's shell.
struct AppDecl {
  std::string name;
  std::string ns = "default";
  /// Absolute path of the script or binary; for a command string, the string itself.
  std::string script;
  bool command_string = false;  ///< Run `script` under `/bin/sh -c`, as PM2 does.
  std::vector<std::string> args;
  /// Absolute path of the interpreter, or empty to execute `script` directly (PM2's `none`).
  std::string interpreter;
  std::vector<std::string> interpreter_args;
  std::string cwd;  ///< Absolute working directory.
  /// The complete environment the app sees (caller's environment after --filter-env, plus
  /// --setenv). PM2's injected variables (pm_id, name, ...) are added at start, not stored here.
  std::map<std::string, std::string> env;
  RestartPolicy restart;
  LogSettings logs;
  std::string
      user;  ///< uid/user: run as this user (name or number); empty = the manager's default.
  std::string group;                   ///< gid.
  std::uint64_t max_memory_bytes = 0;  ///< max_memory_restart; 0 = none.
  bool autostart = true;               ///< false: registered, not started.
  bool treekill = true;                ///< false: stop signals only the main process.
  /// PM2's vizion: jlist and describe show the git checkout the app runs from (`versioning`).
  bool vizion = true;
  std::string instance_var = "NODE_APP_INSTANCE";
  /// PM2's increment_var: this variable gets the app's value of it (default 0) plus the
  /// instance number. Cluster mode only.
  std::string increment_var;
  ClusterSettings cluster;
  /// PM2's wait_ready: online only after the app's process.send('ready') (Type=notify through
  /// pmctl's node preload), at most listen_timeout_ms after the start.
  bool wait_ready = false;
  std::uint64_t listen_timeout_ms = 3000;
  /// PM2's shutdown_with_message: the preload turns the stop signal into a 'shutdown' message.
  bool shutdown_with_message = false;
  /// Whether node apps get pmctl's preload where they need it (`--no-shim` turns it off).
  bool node_shim = true;
  /// PM2 7's source map support, on unless disabled: node apps run with --enable-source-maps,
  /// so their stack traces name the original files and lines.
  bool source_maps = true;
  /// PM2's cron_restart as written ("" = none): a timer restarts the app (reloads a cluster or
  /// pool app) on this schedule. Its units: core/units/companion_units.hpp.
  std::string cron_restart;
  WatchSettings watch;

  bool operator==(const AppDecl&) const = default;
};

}  // namespace pmctl::core
