#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/app_record.hpp"
#include "core/types/scope.hpp"

namespace pmctl::core {

/// The registry: small JSON files under the manager's state directory, read and written under
/// an flock, replaced atomically (write + fsync + rename), mode 0600. registry.json holds the
/// apps; apps/<id>.json each app's record again (record_files.hpp); env/<id>.json each app's
/// environment; env/<id>.env the file its unit reads.
class Registry {
 public:
  explicit Registry(std::filesystem::path dir);

  /// What the registry asks the service manager (the CLI sets both from
  /// core/lifecycle/recovery; tests may leave them unset).
  struct Live {
    /// The ids of every loaded pmctl instance unit: never handed out to a new app.
    std::function<std::set<int>()> unit_ids;
    /// The apps rebuilt from the live units and the record files, used when registry.json is
    /// damaged (`problem` says how) or missing (`problem` empty). Unset: a damaged registry is
    /// an error, a missing one empty.
    std::function<RegistryData(const std::string& problem)> recover;
    /// Told of the apps that have a record file but are not in a readable registry.json
    /// (`load` shows them too).
    std::function<void(const std::vector<AppRecord>& orphans)> on_orphans;
    /// Told of an app whose env/<id>.json is damaged (`problem` says how): it is loaded with
    /// AppRecord::env_unreadable set.
    std::function<void(const AppRecord& app, const std::string& problem)> on_damaged_env;
  };
  void set_live(Live live) { live_ = std::move(live); }

  const std::filesystem::path& dir() const { return dir_; }
  /// Whether `load` also reads each app's environment (kept in its own file: `ls` needs none).
  enum class Environments { Load, Skip };
  /// A consistent snapshot (shared lock, taken on a read-only descriptor; where the lock file
  /// cannot be opened, as in a read-only state directory, read without it: every file is
  /// replaced by a rename, so a reader sees a whole one). A missing registry is an empty one.
  /// With Environments::Skip every decl.env is empty: never write such a snapshot back.
  /// A damaged or missing registry.json is replaced by Live::recover's apps when it is set;
  /// apps that have a record file but are missing from registry.json are added.
  RegistryData load(Environments environments = Environments::Load) const;
  /// Read-modify-write under the exclusive lock; `change` may throw, and then nothing is written.
  /// New ids skip Live::unit_ids and the record files' ids. While registry.json is damaged the
  /// change is made to the recovered apps and only the per-app files are written: registry.json
  /// is left as it is for `pmctl repair`. A missing registry.json is a new, empty one.
  RegistryData update(const std::function<void(RegistryData&)>& change);

  /// `pmctl repair`, under the exclusive lock: `rebuild` gets registry.json's apps (nullptr
  /// when it is damaged or missing) and returns the registry to write (environments are read
  /// from env/<id>.json). A damaged registry.json is first renamed to
  /// registry.json.damaged-<UTC time>, whose path is returned ("" when there was none).
  std::string repair(const std::function<RegistryData(const RegistryData* current)>& rebuild);

  std::filesystem::path env_file(int id) const;      ///< <dir>/env/<id>.env
  std::filesystem::path backoff_file(int id) const;  ///< <dir>/backoff/<id>
  /// Writes the environment file atomically with mode 0600.
  void write_env_file(int id, const std::map<std::string, std::string>& env) const;
  void write_backoff_fresh(int id) const;
  void remove_instance_files(int id) const;

 private:
  struct Read;
  /// Show: what `load` returns (recovered apps, orphans added). Change: what `update` changes
  /// (a missing registry.json is a new, empty one; a damaged one is the recovered apps).
  enum class Purpose { Show, Change };
  Read read(bool with_env, Purpose purpose) const;
  void add_orphans(RegistryData& data) const;

  std::filesystem::path dir_;
  Live live_;
};

/// System: /var/lib/pmctl. User: $XDG_STATE_HOME/pmctl, else ~/.local/state/pmctl.
/// $PMCTL_STATE_DIR overrides both (tests).
std::filesystem::path default_state_dir(Scope scope);
/// A user's state directory without $XDG_STATE_HOME: `home`/.local/state/pmctl.
std::filesystem::path user_state_dir(const std::filesystem::path& home);

}  // namespace pmctl::core
