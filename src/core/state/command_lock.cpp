#include "core/state/command_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/base/files.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

constexpr const char* kLockFile = "command.lock";
constexpr std::chrono::milliseconds kPoll{10};

UniqueFd open_lock(const fs::path& path) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw_io("open", path, errno);
  return fd;
}

bool try_exclusive(const UniqueFd& fd, const fs::path& path) {
  while (flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return false;
    if (errno != EINTR) throw_io("lock", path, errno);
  }
  return true;
}

/// Who holds the lock, as the holder wrote it; "another pmctl command" when it wrote nothing yet.
std::string holder_of(const fs::path& path) {
  std::string text = read_file_if_any(path).value_or("");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "another pmctl command" : text;
}

void write_holder(const UniqueFd& fd, const std::string& what) {
  const std::string line = what + "\n";
  // Best effort: the text only helps a waiter say whom it waits for.
  if (ftruncate(fd.get(), 0) == 0 && pwrite(fd.get(), line.data(), line.size(), 0) < 0) return;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  return std::to_string((ms.count() + 999) / 1000) + " s";
}

}  // namespace

std::chrono::milliseconds lock_timeout_from_env(std::chrono::milliseconds fallback) {
  const char* value = std::getenv("PMCTL_LOCK_TIMEOUT");
  if (!value || !*value) return fallback;
  char* end = nullptr;
  errno = 0;
  const long seconds = std::strtol(value, &end, 10);
  if (errno != 0 || *end != '\0' || seconds < 0 || seconds > 86400)
    throw Error("PMCTL_LOCK_TIMEOUT='" + std::string(value) + "' is not a number of seconds",
                "give whole seconds from 0 to 86400, e.g. PMCTL_LOCK_TIMEOUT=60", 2);
  return std::chrono::seconds(seconds);
}

CommandLock CommandLock::acquire(const fs::path& state_dir, const std::string& what,
                                 const LockWait& wait) {
  std::error_code ec;
  fs::create_directories(state_dir.parent_path(), ec);  // mkdir reports what matters
  make_private_dir(state_dir);                          // as the registry makes it
  const fs::path path = state_dir / kLockFile;
  UniqueFd fd = open_lock(path);
  const auto start = std::chrono::steady_clock::now();
  bool noticed = false;
  while (!try_exclusive(fd, path)) {
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (waited >= wait.give_up)
      throw Error("gave up after " + seconds_text(wait.give_up) + ": " + holder_of(path) +
                      " is still running",
                  "try again when it has finished (PMCTL_LOCK_TIMEOUT sets the wait in seconds)");
    if (!noticed && waited >= wait.notice_after && wait.notice) {
      noticed = true;
      wait.notice(holder_of(path));
    }
    std::this_thread::sleep_for(kPoll);
  }
  write_holder(fd, what);
  return CommandLock(std::move(fd));
}

bool CommandLock::held_elsewhere(const fs::path& state_dir) {
  const fs::path path = state_dir / kLockFile;
  // Read-only is enough to test a lock, so this works on a state directory one cannot write.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;  // never taken: nobody holds it
  if (flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;
  return errno == EWOULDBLOCK;
}

}  // namespace pmctl::core
