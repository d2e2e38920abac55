#include "core/state/registry.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

#include "core/base/envfile.hpp"
#include "core/base/files.hpp"
#include "core/model/app_json.hpp"
#include "core/types/error.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRegistryFile = "registry.json";
constexpr const char* kLockFile = "registry.lock";

void make_dir(const fs::path& dir) {
  if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_io("create directory", dir, errno);
}

RegistryData parse_registry(const std::string& text, const fs::path& path) {
  const std::string hint =
      "repair or move away '" + path.string() + "'; pmctl will not overwrite it";
  try {
    const auto j = nlohmann::json::parse(text);
    if (int_field(j, "version", kRegistryVersion) > kRegistryVersion)
      throw Error("registry '" + path.string() + "' was written by a newer pmctl", hint);
    return j.get<RegistryData>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("registry '" + path.string() + "' is corrupt: " + e.what(), hint);
  } catch (const std::invalid_argument& e) {
    throw Error("registry '" + path.string() + "' is corrupt: " + e.what(), hint);
  }
}

void remove_if_present(const fs::path& path) {
  if (unlink(path.c_str()) < 0 && errno != ENOENT) throw_io("remove", path, errno);
}

fs::path env_json_path(const fs::path& dir, int id) {
  return dir / "env" / (std::to_string(id) + ".json");
}

void read_environments(const fs::path& dir, RegistryData& data) {
  for (auto& app : data.apps) {
    const fs::path path = env_json_path(dir, app.id);
    if (access(path.c_str(), F_OK) < 0 && errno == ENOENT) continue;
    try {
      app.decl.env =
          nlohmann::json::parse(read_file(path)).get<std::map<std::string, std::string>>();
    } catch (const nlohmann::json::exception& e) {
      throw Error("environment file '" + path.string() + "' is corrupt: " + e.what(),
                  "repair or remove it, then restart the app with the variables it needs");
    }
  }
}

RegistryData read_registry(const fs::path& dir, bool with_env) {
  const fs::path path = dir / kRegistryFile;
  if (access(path.c_str(), F_OK) < 0 && errno == ENOENT) return {};
  RegistryData data = parse_registry(read_file(path), path);
  if (with_env) read_environments(dir, data);
  return data;
}

/// Writes the environments that changed since `before` (and drops those of removed apps)
/// before registry.json, so the registry never names an app whose environment is missing.
void write_environments(const fs::path& dir, const RegistryData& before, const RegistryData& data) {
  for (const auto& app : data.apps) {
    const AppRecord* old = before.find(app.id);
    if (old && old->decl.env == app.decl.env) continue;
    write_file_atomically(env_json_path(dir, app.id), nlohmann::json(app.decl.env).dump(), 0600);
  }
  for (const auto& old : before.apps)
    if (!data.find(old.id)) remove_if_present(env_json_path(dir, old.id));
}

void write_registry(const fs::path& dir, const RegistryData& data) {
  // Compact: every pmctl command parses this file, and its size is what parsing costs.
  write_file_atomically(dir / kRegistryFile, nlohmann::json(data).dump() + "\n", 0600);
}

void ensure_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);  // make_dir below reports what matters
  make_dir(dir);
  make_dir(dir / "env");
  make_dir(dir / "backoff");
}

}  // namespace

Registry::Registry(fs::path dir) : dir_(std::move(dir)) {}

RegistryData Registry::load(Environments environments) const {
  // Reading must not create anything: a missing state directory is an empty registry.
  if (access(dir_.c_str(), F_OK) < 0 && errno == ENOENT) return {};
  const UniqueFd held = lock_file(dir_ / kLockFile, LOCK_SH);
  return read_registry(dir_, environments == Environments::Load);
}

RegistryData Registry::update(const std::function<void(RegistryData&)>& change) {
  ensure_dirs(dir_);
  const UniqueFd held = lock_file(dir_ / kLockFile, LOCK_EX);
  const RegistryData before = read_registry(dir_, true);
  RegistryData data = before;
  change(data);
  write_environments(dir_, before, data);
  write_registry(dir_, data);
  return data;
}

fs::path Registry::env_file(int id) const { return dir_ / "env" / (std::to_string(id) + ".env"); }

fs::path Registry::backoff_file(int id) const { return dir_ / "backoff" / std::to_string(id); }

void Registry::write_env_file(int id, const std::map<std::string, std::string>& env) const {
  ensure_dirs(dir_);
  write_file_atomically(env_file(id), render_environment_file(env), 0600);
}

// 0644 is enough: only the app's own unit, running as the same user, reads and rewrites it.
void Registry::write_backoff_fresh(int id) const {
  ensure_dirs(dir_);
  write_file_atomically(backoff_file(id), kBackoffFresh, 0644);
}

void Registry::remove_instance_files(int id) const {
  remove_if_present(env_file(id));
  remove_if_present(env_json_path(dir_, id));
  remove_if_present(backoff_file(id));
}

fs::path default_state_dir(Scope scope) {
  const auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (const auto dir = env("PMCTL_STATE_DIR"); !dir.empty()) return dir;
  if (scope == Scope::System) return "/var/lib/pmctl";
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  if (const auto xdg = env("XDG_STATE_HOME"); !xdg.empty() && xdg.front() == '/')
    return fs::path(xdg) / "pmctl";
  std::string home = env("HOME");
  if (home.empty())
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) home = pw->pw_dir;
  if (home.empty())
    throw Error("cannot find a state directory: $HOME is not set",
                "set $HOME, $XDG_STATE_HOME or $PMCTL_STATE_DIR");
  return fs::path(home) / ".local" / "state" / "pmctl";
}

}  // namespace pmctl::core
