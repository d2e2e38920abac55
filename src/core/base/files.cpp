#include "core/base/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/on_failure.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

void fsync_dir(const fs::path& dir) {
  const UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || fsync(fd.get()) < 0) throw_io("sync directory", dir, errno);
}

void write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    const ssize_t n = write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_io("write", path, errno);
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

// The new content is durable before the rename, and the rename is durable before we return, so
// a crash leaves either the old file or the new one, never a truncated one.
void commit(UniqueFd fd, const fs::path& tmp, const fs::path& path, std::string_view content,
            mode_t mode) {
  {
    const OnFailure remove_tmp([&] { unlink(tmp.c_str()); });
    // fchmod because the umask may have cut the mode open() was given.
    if (fchmod(fd.get(), mode) < 0) throw_io("chmod", tmp, errno);
    write_all(fd.get(), content, tmp);
    if (fsync(fd.get()) < 0) throw_io("sync", tmp, errno);
    if (rename(tmp.c_str(), path.c_str()) < 0) throw_io("replace", path, errno);
  }
  fsync_dir(path.parent_path());
}

/// The whole content of an open file, or the errno that stopped the read.
int read_all(int fd, std::string& content) {
  char buffer[16384];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    content.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

void throw_io(const std::string& action, const fs::path& path, int err) {
  // The common case: a non-root user reaching for the system manager's files.
  const std::string hint =
      (err == EACCES || err == EPERM)
          ? "run as root or use --user"
          : "check that '" + path.parent_path().string() + "' exists and is writable by you";
  throw Error("cannot " + action + " '" + path.string() + "': " + std::strerror(err), hint);
}

std::string read_file(const fs::path& path) {
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_io("read", path, errno);
  std::string content;
  if (const int err = read_all(fd.get(), content)) throw_io("read", path, err);
  return content;
}

void make_private_dir(const fs::path& dir) {
  if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_io("create directory", dir, errno);
}

void remove_if_present(const fs::path& path) {
  if (unlink(path.c_str()) < 0 && errno != ENOENT) throw_io("remove", path, errno);
}

std::optional<std::string> read_file_if_any(const fs::path& path) {
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string content;
  if (fd.get() < 0 || read_all(fd.get(), content) != 0) return std::nullopt;
  return content;
}

// For files written outside the registry lock too: a unique temporary name, so that two pmctl
// processes writing the same file never mix their bytes.
void write_file_atomically(const fs::path& path, std::string_view content, unsigned mode) {
  std::string tmp = path.string() + ".XXXXXX";
  UniqueFd fd(mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) throw_io("create", tmp, errno);
  commit(std::move(fd), tmp, path, content, static_cast<mode_t>(mode));
}

UniqueFd lock_file(const fs::path& path, int operation, unsigned mode) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, static_cast<mode_t>(mode)));
  if (fd.get() < 0) throw_io("open", path, errno);
  while (flock(fd.get(), operation) < 0)
    if (errno != EINTR) throw_io("lock", path, errno);
  return fd;
}

UniqueFd try_lock_file(const fs::path& path, unsigned mode) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, static_cast<mode_t>(mode)));
  if (fd.get() < 0)
    throw Error("cannot open '" + path.string() + "': " + std::strerror(errno),
                "run as the user who started the app");
  if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return fd;
  return UniqueFd();
}

}  // namespace pmctl::core
