#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/app.hpp"
#include "core/scope.hpp"

namespace pmctl::core {

/// What pmctl keeps about one app instance; everything else is read live from systemd.
struct AppRecord {
  int id = 0;
  AppDecl decl;
  /// Restarts that systemd no longer counts: manual restarts of an online app, plus automatic
  /// restarts of earlier runs (NRestarts is flushed at a manual start). ↺ = this + live count.
  std::uint32_t restarts = 0;
  std::uint64_t created_at_ms = 0;
  /// `pmctl flush`: journal entries at or before this CLOCK_REALTIME µs are hidden from `logs`.
  std::uint64_t log_watermark_usec = 0;
  /// NODE_APP_INSTANCE (or the app's instance_var): 0 in fork mode, 0..N-1 in a cluster.
  int instance = 0;
  /// Cluster mode: the instance's private endpoint ("tcp:127.0.0.1:20001" or "unix:/path"),
  /// chosen when the instance is created, so it is the same after every restart; a reload
  /// moves the instance to a new one (its replacement runs beside it for a while).
  std::string endpoint;
  /// Which of the instance's unit names is current: pmctl-<name>-<id>.service (0) or, cluster
  /// mode, pmctl-<name>-<id>-b.service (1) (a reload starts the replacement under the other), or
  /// the unit file `pmctl save` wrote, pmctl-<name>-<id>-s.service (2), which runs after a boot.
  int slot = 0;

  bool operator==(const AppRecord&) const = default;
};

struct RegistryData {
  int next_id = 0;  ///< PM2: a counter from 0, reset to 0 when the list becomes empty.
  std::vector<AppRecord> apps;

  std::vector<int> ids() const;  ///< Every app's id, in registry order.
  AppRecord* find(int id);
  const AppRecord* find(int id) const;
  /// Takes the next id (and resets the counter first when the list is empty); never one in use.
  int allocate_id();
  /// Removes the app; resets next_id to 0 when that empties the list.
  void remove(int id);
};

/// The registry: small JSON files under the manager's state directory, read and written under
/// an flock, replaced atomically (write + fsync + rename), mode 0600. registry.json holds the
/// apps; env/<id>.json each app's environment; env/<id>.env the file its unit reads.
class Registry {
 public:
  explicit Registry(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }
  /// Whether `load` also reads each app's environment (kept in its own file: `ls` needs none).
  enum class Environments { Load, Skip };
  /// A consistent snapshot (shared lock). A missing registry is an empty one. With
  /// Environments::Skip every decl.env is empty: never write such a snapshot back.
  RegistryData load(Environments environments = Environments::Load) const;
  /// Read-modify-write under the exclusive lock; `change` may throw, and then nothing is written.
  RegistryData update(const std::function<void(RegistryData&)>& change);

  std::filesystem::path env_file(int id) const;      ///< <dir>/env/<id>.env
  std::filesystem::path backoff_file(int id) const;  ///< <dir>/backoff/<id>
  /// Writes the environment file atomically with mode 0600.
  void write_env_file(int id, const std::map<std::string, std::string>& env) const;
  void write_backoff_fresh(int id) const;
  void remove_instance_files(int id) const;

 private:
  std::filesystem::path dir_;
};

/// Writes `content` to a unique temporary file beside `path` with `mode`, syncs it and renames
/// it over `path`: readers see the old file or the new one, never a part.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           unsigned mode);

/// System: /var/lib/pmctl. User: $XDG_STATE_HOME/pmctl, else ~/.local/state/pmctl.
/// $PMCTL_STATE_DIR overrides both (tests).
std::filesystem::path default_state_dir(Scope scope);

}  // namespace pmctl::core
