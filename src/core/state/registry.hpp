#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/app_record.hpp"
#include "core/types/scope.hpp"

namespace pmctl::core {

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
