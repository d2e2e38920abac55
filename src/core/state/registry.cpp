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
#include <ctime>
#include <optional>
#include <string_view>
#include <utility>

#include "core/base/envfile.hpp"
#include "core/base/files.hpp"
#include "core/model/app_json.hpp"
#include "core/state/record_files.hpp"
#include "core/types/error.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRegistryFile = "registry.json";
constexpr const char* kLockFile = "registry.lock";

constexpr const char* kRepairHint =
    "'pmctl repair' rebuilds it from the running units and the per-app files (the damaged file "
    "is kept beside it)";

/// Thrown inside this file only: registry.json cannot be parsed.
struct Damaged : Error {
  using Error::Error;
};

RegistryData parse_registry(const std::string& text, const fs::path& path) {
  try {
    const auto j = nlohmann::json::parse(text);
    if (int_field(j, "version", kRegistryVersion) > kRegistryVersion)
      throw Error("registry '" + path.string() + "' was written by a newer pmctl",
                  "use that pmctl, or move '" + path.string() + "' away");
    return j.get<RegistryData>();
  } catch (const nlohmann::json::exception& e) {
    throw Damaged("registry '" + path.string() + "' is corrupt: " + e.what(), kRepairHint);
  } catch (const std::invalid_argument& e) {
    throw Damaged("registry '" + path.string() + "' is corrupt: " + e.what(), kRepairHint);
  }
}

fs::path env_json_path(const fs::path& dir, int id) {
  return dir / "env" / (std::to_string(id) + ".json");
}

/// Each app's decl.env from env/<id>.json. A damaged one locks nobody out: that app is marked
/// env_unreadable (and `on_damaged` told), the others read on.
void read_environments(
    const fs::path& dir, RegistryData& data,
    const std::function<void(const AppRecord&, const std::string&)>& on_damaged) {
  for (auto& app : data.apps) {
    const fs::path path = env_json_path(dir, app.id);
    if (access(path.c_str(), F_OK) < 0 && errno == ENOENT) continue;
    try {
      app.decl.env =
          nlohmann::json::parse(read_file(path)).get<std::map<std::string, std::string>>();
    } catch (const nlohmann::json::exception& e) {
      app.decl.env.clear();
      app.env_unreadable = true;
      if (on_damaged)
        on_damaged(app, "environment file '" + path.string() + "' is damaged (" + e.what() + ")");
    }
  }
}

/// registry.json as read: its apps, or why they cannot be used.
struct FileRead {
  RegistryData data;
  bool missing = false;
  std::string problem;  ///< what is wrong with it ("" when it parsed)
  std::string hint;
};

FileRead read_registry_file(const fs::path& dir) {
  const fs::path path = dir / kRegistryFile;
  FileRead out;
  if (access(path.c_str(), F_OK) < 0 && errno == ENOENT) {
    out.missing = true;
    return out;
  }
  try {
    out.data = parse_registry(read_file(path), path);
  } catch (const Damaged& e) {
    out.problem = e.what();
    out.hint = e.hint();
  }
  return out;
}

/// The shared lock on a read-only descriptor, so that reading needs no write access; an empty
/// descriptor where the lock file is missing and cannot be made, or cannot be opened.
UniqueFd shared_lock(const fs::path& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT)
    fd.reset(open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return fd;
  while (flock(fd.get(), LOCK_SH) < 0)
    if (errno != EINTR) throw_io("lock", path, errno);
  return fd;
}

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
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
  fs::create_directories(dir.parent_path(), ec);  // make_private_dir below reports what matters
  make_private_dir(dir);
  make_private_dir(dir / "env");
  make_private_dir(dir / "backoff");
}

}  // namespace

Registry::Registry(fs::path dir) : dir_(std::move(dir)) {}

/// The apps, from registry.json or, when it is damaged or missing, from Live::recover.
struct Registry::Read {
  RegistryData data;
  bool from_file = true;  ///< false: recovered; registry.json must not be written over
};

Registry::Read Registry::read(bool with_env, Purpose purpose) const {
  FileRead file = read_registry_file(dir_);
  Read out;
  if (!file.problem.empty()) {
    if (!live_.recover) throw Error(file.problem, file.hint);
    out.data = live_.recover(file.problem);
    out.from_file = false;
  } else if (file.missing && purpose == Purpose::Show && live_.recover) {
    out.data = live_.recover("");
    for (const auto& app : out.data.apps) out.data.unlisted.insert(app.id);
  } else if (!file.missing) {
    out.data = std::move(file.data);
    if (purpose == Purpose::Show) add_orphans(out.data);
  }
  if (with_env) read_environments(dir_, out.data, live_.on_damaged_env);
  return out;
}

// Only an interrupted command, or a registry.json replaced or lost since, leaves a record file
// the registry does not list: that app exists, so it is shown (and can be stopped and deleted).
void Registry::add_orphans(RegistryData& data) const {
  std::vector<AppRecord> orphans;
  for (int id : record_file_ids(dir_))
    if (!data.find(id))
      if (auto rec = read_record_file(dir_, id)) orphans.push_back(std::move(*rec));
  if (orphans.empty()) return;
  if (live_.on_orphans) live_.on_orphans(orphans);
  for (const auto& rec : orphans) data.unlisted.insert(rec.id);
  data.apps.insert(data.apps.end(), orphans.begin(), orphans.end());
}

RegistryData Registry::load(Environments environments) const {
  // Reading must not create anything: a missing state directory is an empty registry.
  if (access(dir_.c_str(), F_OK) < 0 && errno == ENOENT) return {};
  const UniqueFd held = shared_lock(dir_ / kLockFile);
  return read(environments == Environments::Load, Purpose::Show).data;
}

RegistryData Registry::update(const std::function<void(RegistryData&)>& change) {
  ensure_dirs(dir_);
  const UniqueFd held = lock_file(dir_ / kLockFile, LOCK_EX);
  const Read before = read(true, Purpose::Change);
  RegistryData data = before.data;
  // Ids the list does not have but that are taken: a live unit's, or a record file's (an app
  // lost from registry.json). Asked only when an id is handed out.
  std::optional<std::set<int>> taken;
  data.id_taken = [&](int id) {
    if (!taken) {
      taken = live_.unit_ids ? live_.unit_ids() : std::set<int>{};
      for (int taken_id : record_file_ids(dir_)) taken->insert(taken_id);
    }
    return taken->count(id) > 0;
  };
  change(data);
  data.id_taken = nullptr;
  write_environments(dir_, before.data, data);
  write_record_files(dir_, before.data, data);
  if (before.from_file) write_registry(dir_, data);
  return data;
}

std::string Registry::repair(
    const std::function<RegistryData(const RegistryData* current)>& rebuild) {
  ensure_dirs(dir_);
  const UniqueFd held = lock_file(dir_ / kLockFile, LOCK_EX);
  const FileRead file = read_registry_file(dir_);
  const bool usable = file.problem.empty() && !file.missing;
  RegistryData data = rebuild(usable ? &file.data : nullptr);
  read_environments(dir_, data, live_.on_damaged_env);
  std::string moved_to;
  if (!file.problem.empty()) {
    moved_to = (dir_ / (std::string(kRegistryFile) + ".damaged-" + utc_stamp())).string();
    if (rename((dir_ / kRegistryFile).c_str(), moved_to.c_str()) < 0)
      throw_io("move the damaged registry to", moved_to, errno);
  }
  write_record_files(dir_, RegistryData{}, data);
  write_registry(dir_, data);
  return moved_to;
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
  remove_if_present(record_file(dir_, id));
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
  return user_state_dir(home);
}

fs::path user_state_dir(const fs::path& home) { return home / ".local" / "state" / "pmctl"; }

}  // namespace pmctl::core
