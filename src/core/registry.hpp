#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
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

/// System: /var/lib/pmctl. User: $XDG_STATE_HOME/pmctl, else ~/.local/state/pmctl.
/// $PMCTL_STATE_DIR overrides both (tests).
std::filesystem::path default_state_dir(Scope scope);

}  // namespace pmctl::core
