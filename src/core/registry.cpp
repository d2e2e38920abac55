#include "core/registry.hpp"

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

#include "core/app_json.hpp"
#include "core/envfile.hpp"
#include "core/error.hpp"
#include "core/mapping.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRegistryFile = "registry.json";
constexpr const char* kLockFile = "registry.lock";

/// Owns a file descriptor; closing it also releases an flock taken through it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void throw_io(const std::string& action, const fs::path& path, int err = errno) {
  // The common case: a non-root user reaching for the system manager's registry.
  const std::string hint = (err == EACCES || err == EPERM)
                               ? "run as root or use --user"
                               : "check that '" + path.parent_path().string() +
                                     "' exists and is writable by you";
  throw Error("cannot " + action + " '" + path.string() + "': " + std::strerror(err), hint);
}

void make_dir(const fs::path& dir) {
  if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_io("create directory", dir);
}

void fsync_dir(const fs::path& dir) {
  const Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || fsync(fd.get()) < 0) throw_io("sync directory", dir);
}

void write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    const ssize_t n = write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_io("write", path);
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

// The new content is durable before the rename, and the rename is durable before we return, so
// a crash leaves either the old file or the new one, never a truncated one.
void commit(Fd fd, const fs::path& tmp, const fs::path& path, std::string_view content,
            mode_t mode) {
  try {
    // fchmod because the umask may have cut the mode open() was given.
    if (fchmod(fd.get(), mode) < 0) throw_io("chmod", tmp);
    write_all(fd.get(), content, tmp);
    if (fsync(fd.get()) < 0) throw_io("sync", tmp);
    if (rename(tmp.c_str(), path.c_str()) < 0) throw_io("replace", path);
  } catch (...) {
    unlink(tmp.c_str());
    throw;
  }
  fsync_dir(path.parent_path());
}

Fd lock(const fs::path& dir, int operation) {
  const fs::path path = dir / kLockFile;
  Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw_io("open", path);
  while (flock(fd.get(), operation) < 0)
    if (errno != EINTR) throw_io("lock", path);
  return fd;
}

std::string read_file(const fs::path& path) {
  const Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_io("read", path);
  std::string content;
  char buffer[16384];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_io("read", path);
    if (n == 0) return content;
    content.append(buffer, static_cast<std::size_t>(n));
  }
}

RegistryData parse_registry(const std::string& text, const fs::path& path) {
  const std::string hint =
      "repair or move away '" + path.string() + "'; pmctl will not overwrite it";
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.is_object() && j.value("version", kRegistryVersion) > kRegistryVersion)
      throw Error("registry '" + path.string() + "' was written by a newer pmctl", hint);
    return j.get<RegistryData>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("registry '" + path.string() + "' is corrupt: " + e.what(), hint);
  } catch (const std::invalid_argument& e) {
    throw Error("registry '" + path.string() + "' is corrupt: " + e.what(), hint);
  }
}

void remove_if_present(const fs::path& path) {
  if (unlink(path.c_str()) < 0 && errno != ENOENT) throw_io("remove", path);
}

fs::path env_json_path(const fs::path& dir, int id) {
  return dir / "env" / (std::to_string(id) + ".json");
}

void read_environments(const fs::path& dir, RegistryData& data) {
  for (auto& app : data.apps) {
    const fs::path path = env_json_path(dir, app.id);
    if (access(path.c_str(), F_OK) < 0 && errno == ENOENT) continue;
    try {
      app.decl.env = nlohmann::json::parse(read_file(path)).get<std::map<std::string, std::string>>();
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
  const fs::path path = dir / kRegistryFile;
  const fs::path tmp = dir / (std::string(kRegistryFile) + ".tmp");
  // A fixed temporary name is safe here: only the holder of the exclusive lock writes it.
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw_io("create", tmp);
  // Compact: every pmctl command parses this file, and its size is what parsing costs.
  commit(std::move(fd), tmp, path, nlohmann::json(data).dump() + "\n", 0600);
}

void ensure_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);  // make_dir below reports what matters
  make_dir(dir);
  make_dir(dir / "env");
  make_dir(dir / "backoff");
}

}  // namespace

// For files written outside the registry lock: a unique temporary name, so that two pmctl
// processes writing the same file never mix their bytes.
void write_file_atomically(const fs::path& path, std::string_view content, mode_t mode) {
  std::string tmp = path.string() + ".XXXXXX";
  Fd fd(mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) throw_io("create", tmp);
  commit(std::move(fd), tmp, path, content, mode);
}

std::vector<int> RegistryData::ids() const {
  std::vector<int> out;
  for (const auto& app : apps) out.push_back(app.id);
  return out;
}

AppRecord* RegistryData::find(int id) {
  const auto it =
      std::find_if(apps.begin(), apps.end(), [id](const auto& a) { return a.id == id; });
  return it == apps.end() ? nullptr : &*it;
}

const AppRecord* RegistryData::find(int id) const {
  return const_cast<RegistryData*>(this)->find(id);
}

int RegistryData::allocate_id() {
  if (apps.empty()) next_id = 0;
  // Only a hand-edited registry has the counter on an id in use; never hand out a duplicate.
  while (find(next_id) != nullptr) ++next_id;
  return next_id++;
}

void RegistryData::remove(int id) {
  std::erase_if(apps, [id](const AppRecord& a) { return a.id == id; });
  if (apps.empty()) next_id = 0;
}

Registry::Registry(fs::path dir) : dir_(std::move(dir)) {}

RegistryData Registry::load(Environments environments) const {
  // Reading must not create anything: a missing state directory is an empty registry.
  if (access(dir_.c_str(), F_OK) < 0 && errno == ENOENT) return {};
  const Fd held = lock(dir_, LOCK_SH);
  return read_registry(dir_, environments == Environments::Load);
}

RegistryData Registry::update(const std::function<void(RegistryData&)>& change) {
  ensure_dirs(dir_);
  const Fd held = lock(dir_, LOCK_EX);
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
