#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>

#include <cstdint>
#include <string>
#include <vector>

#include "core/units/boot_units.hpp"
#include "core/state/file_undo.hpp"
#include "core/types/manager.hpp"
#include "core/units/mapping.hpp"
#include "core/state/registry.hpp"
#include "core/base/resources.hpp"
#include "core/types/scope.hpp"
#include "core/types/unique_fd.hpp"
#include "core/model/status.hpp"

namespace pmctl::core {

/// One app as `ls`, `jlist` and `show` see it: what pmctl keeps plus what systemd says now.
struct AppView {
  AppRecord record;
  std::string unit;
  UnitState state;
  Status status = Status::Stopped;
  std::uint32_t restarts = 0;   ///< PM2's ↺: record.restarts + the unit's automatic restarts.
  std::uint64_t started_usec = 0;  ///< CLOCK_REALTIME µs the current run began; 0 unless online.
  std::uint64_t uptime_ms = 0;     ///< 0 unless online.
  double cpu_percent = 0;       ///< Average since the current run started (like ps).
  std::uint64_t memory_bytes = 0;
  bool memory_from_proc = false;  ///< The cgroup has no memory controller: RSS from /proc.
};

/// Programs the generated units run, resolved once per command, and what cluster mode asks of
/// the system (replaced in tests).
struct Tools {
  std::string systemd_cat = "/usr/bin/systemd-cat";
  std::string shell = "/bin/sh";
  std::string logwriter = "/usr/libexec/pmctl-logwriter";
  std::string node_preload = "/usr/share/pmctl/pmctl-preload.cjs";
  std::string balancer = "/usr/libexec/pmctl-balancer";
  /// Backend files, unix endpoints and a copy of the balancer live under here (world-readable).
  std::string runtime_dir = "/run/pmctl";
  /// Shared mode's unit files and the transient units' exec drop-ins go here (runtime_unit_dir;
  /// the CLI fills it in); empty: not known (shared mode says so; no drop-ins are written).
  std::string unit_dir;
  /// Where `pmctl save` writes its unit files: /etc/systemd/system, or ~/.config/systemd/user
  /// (persistent_unit_dir; the CLI fills it in). Empty: save and resurrect say it is not known.
  std::string boot_unit_dir;
  /// Whether nothing listens on (IPv4 address, port).
  std::function<bool(const std::string&, std::uint16_t)> port_free;
  /// The lowest port a user manager's socket may bind.
  std::function<unsigned()> unprivileged_port_start;
  /// Whether an instance's endpoint accepts a connection within the time given (a reload's
  /// readiness check); endpoint_accepts when unset.
  std::function<bool(const std::string&, std::chrono::milliseconds)> endpoint_ready;
};

/// A cluster app's balancer as `show` tells it: its two units, live, and its settings.
struct BalancerView {
  std::string socket_unit;
  std::string service_unit;
  UnitState socket;
  UnitState service;
  std::string listen;
  bool shared = false;  ///< --lb shared: the service is a holder, the instances accept themselves
  std::string backends_file;
  std::string policy;
};

/// Reload locks this process holds (flock descriptors), released when it goes.
class HeldLocks {
 public:
  HeldLocks() = default;
  HeldLocks(const HeldLocks&) = delete;
  HeldLocks& operator=(const HeldLocks&) = delete;
  bool holds(const std::string& key) const;
  void add(const std::string& key, UniqueFd fd);

 private:
  std::vector<std::pair<std::string, UniqueFd>> fds_;
};

/// The PM2 verbs over the registry and the service manager. Every verb validates and computes
/// everything first, then changes things; a failed start leaves nothing registered.
class Lifecycle {
 public:
  Lifecycle(Registry& registry, Manager& manager, Scope scope, Tools tools = {});
  /// Tools are looked up on first launch only: commands that only read never pay for the
  /// PATH search.
  Lifecycle(Registry& registry, Manager& manager, Scope scope, std::function<Tools()> find_tools);

  /// Registers and starts a new app; returns its id. A running app of the same name is an
  /// error unless `force`; a stopped one is started again instead (PM2's smart start). With
  /// `decl.autostart` off the app is only registered, and stays stopped.
  int start_new(const AppDecl& decl, bool force);
  /// Registers and starts a cluster-mode app: one record and unit per instance, each with its
  /// own private endpoint, and the balancer's socket and service. All or nothing: when any unit
  /// fails, what this call created is removed again. Returns the instances' ids.
  std::vector<int> start_cluster(const AppDecl& decl);
  /// Gives the registered instances of cluster app `name` a new declaration (same number of
  /// instances) and starts or restarts them (`reload`: reloads them); the balancer is
  /// re-created if its settings changed.
  void redeclare_cluster(const std::string& name, const AppDecl& decl, bool reload = false);
  /// The endpoints of `ids` that did not accept a connection within `timeout`.
  std::vector<std::string> not_listening(const std::vector<int>& ids, std::chrono::milliseconds timeout);
  BalancerView balancer_view(const AppDecl& decl);
  /// Starts a registered app that is not running; restarts it if it is (PM2's smart start).
  /// For an instance of a cluster app, start and restart also make sure the app's balancer
  /// runs, and restart returns once the instance accepts connections again (at most
  /// listen_timeout); stop stops the balancer with the app's last running instance; remove
  /// removes it with the last instance, and otherwise takes the instance out of its backend file.
  void start(int id);
  void restart(int id);
  void stop(int id);
  void remove(int id);
  /// PM2's reload. Fork mode: a restart. A cluster instance: its replacement starts under the
  /// instance's other unit name on a new private endpoint, the balancer gets it once it is ready
  /// (READY=1 with wait_ready, else it accepts a connection; at most listen_timeout), the old one
  /// is drained, then stopped; the pm_id stays. A replacement that is not ready is removed and
  /// the old instance keeps serving (core::Error). One reload of an app at a time: a second
  /// pmctl is refused while this one holds the app's reload lock. A stopped instance is started.
  void reload(int id);
  /// The same for a batch of instances of one cluster app at once (reload_batches): every
  /// replacement starts, each gets ready, then all old ones are drained and stopped together.
  /// If one replacement fails, all of the batch's are removed and the old instances keep serving.
  void reload(const std::vector<int>& ids);
  /// PM2's scale of cluster app `name` to `target` instances (scale_target). New instances
  /// clone the first one's declaration, take the lowest free instance numbers and join the
  /// balancer once ready; removed ones (lowest pm_ids first) are drained, stopped and deleted.
  /// Refused for a fork app, and while a reload or scale of the app runs. Returns the ids
  /// added or removed.
  std::vector<int> scale(const std::string& name, int target);
  /// Hides log lines written so far (pmctl flush).
  void flush_logs(const std::vector<int>& ids, std::uint64_t now_usec);
  /// Asks the app's log writers to reopen their files (pmctl reloadLogs); how many there were.
  std::size_t reload_logs(const AppRecord& rec);

  /// PM2's save: the dump (previous one kept as .bak) and the unit files that start the apps
  /// at boot (boot_units.hpp), all or nothing. An empty list is saved only with `force`.
  /// Returns how many app instances were saved; -1 when nothing was saved (empty, no force).
  int save(bool force);
  /// PM2's resurrect: registers and starts the dumped apps whose names are not running (a
  /// stopped dumped app is registered stopped), on their saved units where they can keep their
  /// ids. Returns the names brought back and, in `source`, the file used ("" if none).
  std::vector<std::string> resurrect(std::string& source);
  /// PM2's cleardump: an empty dump, and no saved units (pmctl.target stays, wanting nothing).
  void clear_dump();

  /// Live views of registered apps. Their environments are loaded only when asked for.
  std::vector<AppView> views(const std::vector<int>& ids);
  std::vector<AppView> views(const RegistryData& data, const std::vector<int>& ids);

  std::string unit_of(const AppRecord& rec) const;

 private:
  void fill_view(AppView& view, const UnitState& state, Usage usage, std::uint64_t now);
  InstanceContext context_of(const AppRecord& rec);
  /// The instance's environment file: its declaration's env plus what pmctl sets per instance.
  void write_env(const AppRecord& rec);
  void launch(const AppRecord& rec);
  UnitState live(const AppRecord& rec);
  void fold_restarts(int id, std::uint32_t extra);
  void stop_unit(const std::string& unit);
  AppRecord record(int id) const;
  // Cluster mode (lifecycle_cluster.cpp).
  std::vector<AppRecord> add_instances(RegistryData& data, const AppDecl& decl);
  bool port_free(const std::string& address, std::uint16_t port);
  void check_public_port(const AppDecl& decl);
  void rollback_cluster(const std::vector<AppRecord>& recs);
  /// `extra` lines go after the registered endpoints (a reload's "<old endpoint> drain").
  void write_backends(const RegistryData& data, const std::string& name,
                      const std::vector<std::string>& extra = {});
  void signal_balancer(const std::string& name);
  // Shared mode (lifecycle_shared.cpp).
  static constexpr std::chrono::milliseconds kSharedSettle{300};
  bool is_shared(const std::string& name);
  std::filesystem::path unit_file_path(const std::string& unit);
  void install_unit(const UnitSpec& spec, const std::string& app);
  // Saved units (lifecycle_boot.cpp).
  bool launch_saved(const AppRecord& rec);
  AppRecord move_off_saved(const AppRecord& rec);
  void standby(const std::string& unit, bool on);
  std::string balancer_base(const std::string& name);
  bool start_saved_balancer(const AppDecl& decl);
  void resurrect_app(const std::vector<BootApp>& group);
  BootPaths boot_paths();
  void write_boot_files(const std::vector<BootApp>& apps, bool keep_units_of_running);
  void write_saved_copies(FileUndo& undo, const std::vector<BootApp>& apps);
  void set_standby_flags(const std::set<std::string>& names, const std::vector<BootApp>& apps, bool keep_units_of_running);
  void remove_unsaved_environments(const std::vector<BootApp>& apps);
  // Transient units and systemd 252's daemon-reload (lifecycle_dropin.cpp).
  void start_transient(const UnitSpec& spec);
  void clear_exec_dropin(const std::string& unit);
  void uninstall_unit(const std::string& unit);
  void launch_shared(const AppRecord& rec, const UnitSpec& spec);
  void start_shared_socket(const AppDecl& decl);
  void remove_shared_socket(const std::string& name);
  bool shared_ready(const AppRecord& rec);
  // Reload (lifecycle_reload.cpp).
  void lock_reload(const std::string& name);
  std::vector<AppRecord> replacements_of(const std::vector<AppRecord>& recs);
  void start_replacements(const std::vector<AppRecord>& recs, const std::vector<AppRecord>& next);
  void switch_to(const std::vector<AppRecord>& recs, const std::vector<AppRecord>& next);
  // Scale (lifecycle_scale.cpp).
  std::vector<int> scale_up(const AppRecord& first, int count);
  std::vector<int> scale_down(const RegistryData& data, const std::vector<int>& ids, int count);
  bool wait_ready(const AppRecord& rec);
  std::string balancer_binary();
  void start_balancer(const AppDecl& decl);
  void ensure_balancer(const AppRecord& rec);
  void stop_balancer(const std::string& name);
  void stop_balancer_units(const std::string& base);
  void remove_balancer(const std::string& name);
  void after_stop(const AppRecord& rec);
  void after_remove(const AppRecord& rec, bool last_of_name);
  bool any_running(const std::vector<int>& ids);

  Registry& registry_;
  Manager& manager_;
  Scope scope_;
  std::function<Tools()> find_tools_;
  std::optional<Tools> tools_;
  HeldLocks reload_locks_;
  const Tools& tools();
};

/// Wall-clock now in ms and µs (CLOCK_REALTIME).
std::uint64_t now_ms();
std::uint64_t now_usec();

}  // namespace pmctl::core
