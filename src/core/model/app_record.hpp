#pragma once
// The records pmctl keeps about each app instance (the registry's content, the dump's too).

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/model/app.hpp"

namespace pmctl::core {

/// Which of an instance's unit names is current (AppRecord::slot): pmctl-<name>-<id>.service
/// (A) or, cluster mode, pmctl-<name>-<id>-b.service (B) (a reload starts the replacement under
/// the other), or the unit file `pmctl save` wrote, pmctl-<name>-<id>-s.service (Saved), which
/// runs after a boot. The registry keeps the number.
enum class Slot { A = 0, B = 1, Saved = 2 };

/// What pmctl keeps about one app instance; everything else is read live from systemd.
struct AppRecord {
  int id = 0;
  AppDecl decl;
  /// Restarts that systemd no longer counts: manual restarts of an online app, plus automatic
  /// restarts of earlier runs (NRestarts is flushed at a manual start). ↺ = this + live count.
  std::uint32_t restarts = 0;
  /// `pmctl reset` of an errored app: how many of its failed unit's automatic restarts ↺ no
  /// longer counts. systemd's NRestarts cannot be written, and ResetFailedUnit, which zeroes it,
  /// would also unload the failed unit (the app would show stopped, not errored). Cleared
  /// whenever pmctl next folds the unit's count in or starts it again.
  std::uint32_t restarts_hidden = 0;
  std::uint64_t created_at_ms = 0;
  /// `pmctl flush`: journal entries at or before this CLOCK_REALTIME µs are hidden from `logs`.
  std::uint64_t log_watermark_usec = 0;
  /// NODE_APP_INSTANCE (or the app's instance_var): 0 in fork mode, 0..N-1 in a cluster.
  int instance = 0;
  /// Cluster mode: the instance's private endpoint ("tcp:127.0.0.1:20001" or "unix:/path"),
  /// chosen when the instance is created, so it is the same after every restart; a reload
  /// moves the instance to a new one (its replacement runs beside it for a while).
  std::string endpoint;
  Slot slot = Slot::A;
  /// Set by a command while it changes this instance's units ("start", "reload", "scale"),
  /// cleared when it is done: found while no command runs, it was killed half-way
  /// (lifecycle/completion.hpp).
  std::string pending;
  /// The boot (/proc/sys/kernel/random/boot_id) in which pmctl last started this instance; empty
  /// once pmctl stopped it. A stopped app whose boot_id is another boot's did not come back
  /// after a reboot, which `ls` says.
  std::string boot_id;
  /// Not stored: env/<id>.json, which holds decl.env, is damaged (decl.env is empty). The app's
  /// unit keeps the environment file it last started with; nothing writes over either until a
  /// command gives the app a new environment (restart --update-env) or deletes it.
  bool env_unreadable = false;

  bool operator==(const AppRecord&) const = default;
};

struct RegistryData {
  int next_id = 0;  ///< PM2: a counter from 0, reset to 0 when the list becomes empty.
  std::vector<AppRecord> apps;
  /// Not stored: whether an id is taken outside this list (a live unit of that id; Registry::
  /// update sets it). allocate_id never hands such an id out.
  std::function<bool(int)> id_taken;
  /// Not stored: the apps `Registry::load` shows that registry.json does not list (found from
  /// their units and record files while it is missing, or left out of it). A new app may take
  /// such an app's name: it gets a new id, and the old one runs on untouched.
  std::set<int> unlisted;

  std::vector<int> ids() const;  ///< Every app's id, in registry order.
  /// The ids of the app's instances (one in fork mode), in registry order.
  std::vector<int> ids_named(const std::string& name) const;
  AppRecord* find(int id);
  const AppRecord* find(int id) const;
  /// The app with `id`; throws core::Error when there is none.
  AppRecord& at(int id);
  /// Takes the next id (and resets the counter first when the list is empty); never one in use
  /// here nor one `id_taken` says is taken.
  int allocate_id();
  /// Removes the app; resets next_id to 0 when that empties the list.
  void remove(int id);
};

/// One saved app instance and whether it was stopped (a stopped app stays stopped at boot).
struct BootApp {
  AppRecord record;
  bool stopped = false;
};

}  // namespace pmctl::core
