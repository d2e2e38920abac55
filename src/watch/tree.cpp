#include "watch/tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <utility>

namespace pmctl::watch {
namespace {

constexpr std::uint32_t kMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

std::string join(const std::string& dir, const std::string& rel) {
  if (rel.empty()) return dir;
  return dir == "/" ? dir + rel : dir + "/" + rel;
}

bool is_at_or_under(const std::string& path, const std::string& dir) {
  return path == dir || (path.starts_with(dir) && path[dir.size()] == '/');
}

std::string max_user_watches() {
  std::ifstream in("/proc/sys/fs/inotify/max_user_watches");
  std::string n;
  return in >> n ? n : "?";
}

/// Whether the entry `e` of the directory open as `dir_fd` is a directory to descend into.
bool is_subdir(int dir_fd, const dirent& e, bool follow) {
  unsigned char type = e.d_type;
  struct stat st {};
  if (type == DT_UNKNOWN) {
    if (fstatat(dir_fd, e.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
  }
  if (type == DT_DIR) return true;
  if (type != DT_LNK || !follow) return false;
  return fstatat(dir_fd, e.d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

Tree::Tree(const Ignore& ignore, bool follow_symlinks)
    : ignore_(ignore), follow_(follow_symlinks), fd_(inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {}

Tree::~Tree() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> Tree::roots() const {
  std::vector<std::string> given;
  for (const Root& r : roots_) given.push_back(r.given);
  return given;
}

std::vector<std::string> Tree::take_notes() { return std::exchange(notes_, {}); }

void Tree::add_root(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    notes_.push_back("cannot watch '" + path + "': " + std::strerror(errno) + ", ignoring");
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    roots_.push_back({path, path, ""});
    walk(roots_.size() - 1, "", false);
    return;
  }
  // A file is watched through its directory, so that an editor's save by rename (a new inode)
  // is seen as well.
  const auto slash = path.rfind('/');
  Root root{path, slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
  const int wd = inotify_add_watch(fd_, root.dir.c_str(), kMask | IN_ONLYDIR);
  if (wd < 0) return note_watch_failure(root.dir, errno);
  roots_.push_back(root);
  const auto [it, added] = dirs_.try_emplace(wd, Dir{roots_.size() - 1, "", {root.file}});
  if (!added && !it->second.only.empty()) it->second.only.push_back(root.file);
}

void Tree::note_watch_failure(const std::string& path, int error) {
  if (error == ENOENT || error == ENOTDIR) return;  // gone since it was listed
  if (error != ENOSPC) {
    notes_.push_back("cannot watch '" + path + "': " + std::strerror(error) + ", ignoring");
  } else if (!limit_noted_) {
    limit_noted_ = true;
    notes_.push_back("reached fs.inotify.max_user_watches (" + max_user_watches() +
                     " for all of this user's watches): '" + path +
                     "' and the directories after it are not watched; raise it with sysctl");
  }
}

void Tree::walk(std::size_t root, const std::string& rel, bool again) {
  // (device, inode) of the directories this walk has listed: a symlink loop ends here.
  std::set<std::pair<dev_t, ino_t>> listed;
  std::vector<std::string> todo{rel};
  while (!todo.empty()) {
    const std::string r = std::move(todo.back());
    todo.pop_back();
    const std::string path = join(roots_[root].dir, r);
    // A --path that is a symlink (/srv/app -> releases/42) is followed all the same.
    const bool dont_follow = !follow_ && !r.empty();
    const int wd = inotify_add_watch(fd_, path.c_str(),
                                     kMask | IN_ONLYDIR | (dont_follow ? IN_DONT_FOLLOW : 0));
    if (wd < 0) {
      const int error = errno;
      note_watch_failure(path, error);
      if (error == ENOSPC) return;
      continue;
    }
    // The kernel gives the same watch for the same directory: a known one is a loop or a
    // directory already watched, whose subdirectories are known too (unless walking again).
    auto [it, added] = dirs_.try_emplace(wd, Dir{root, r, {}});
    if (!added && !it->second.only.empty()) {
      it->second = Dir{root, r, {}};  // the directory of a --path file is now watched in full
      added = true;
    }
    if (!added && !again) continue;
    const int dir_fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) continue;
    struct stat st {};
    DIR* dir = fstat(dir_fd, &st) == 0 && listed.emplace(st.st_dev, st.st_ino).second
                   ? fdopendir(dir_fd)
                   : nullptr;
    if (!dir) {
      close(dir_fd);
      continue;
    }
    while (const dirent* e = readdir(dir)) {
      const std::string_view name = e->d_name;
      if (name == "." || name == ".." || !is_subdir(dir_fd, *e, follow_)) continue;
      std::string child = r.empty() ? std::string(name) : r + "/" + std::string(name);
      if (!ignore_.ignores(child, join(roots_[root].dir, child))) todo.push_back(std::move(child));
    }
    closedir(dir);
  }
}

void Tree::forget(std::size_t root, const std::string& rel) {
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (it->second.root == root && it->second.only.empty() && is_at_or_under(it->second.rel, rel)) {
      inotify_rm_watch(fd_, it->first);
      it = dirs_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string Tree::shown(std::size_t root, const std::string& rel) const {
  return roots_.size() == 1 && !rel.empty() ? rel : join(roots_[root].dir, rel);
}

Changes Tree::read_events() {
  Changes changes;
  bool overflow = false;
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (const char* p = buf; p < buf + n;) {
      const auto& e = *reinterpret_cast<const inotify_event*>(p);
      p += sizeof(inotify_event) + e.len;
      if (e.mask & IN_Q_OVERFLOW) {
        overflow = true;
        if (changes.events++ == 0) changes.first_path = "(more events than the queue holds)";
        continue;
      }
      handle(e, changes);
    }
  }
  if (overflow)
    for (std::size_t root = 0; root < roots_.size(); ++root)
      if (roots_[root].file.empty()) walk(root, "", true);
  return changes;
}

void Tree::handle(const inotify_event& e, Changes& changes) {
  const auto it = dirs_.find(e.wd);
  if (it == dirs_.end()) return;
  if (e.mask & IN_IGNORED) {
    dirs_.erase(it);
    return;
  }
  const std::string name = e.len ? e.name : "";
  const std::size_t root = it->second.root;
  std::string rel;
  if (!it->second.only.empty()) {
    // The directory of --path files: only their names count.
    if (std::find(it->second.only.begin(), it->second.only.end(), name) == it->second.only.end())
      return;
    rel = name;
  } else if (name.empty()) {
    // An event on a directory itself is reported by its parent too, but for a root's.
    if (!it->second.rel.empty()) return;
  } else {
    rel = it->second.rel.empty() ? name : it->second.rel + "/" + name;
    if (ignore_.ignores(rel, join(roots_[root].dir, rel))) return;
    if (e.mask & IN_ISDIR) {
      if (e.mask & IN_MOVED_FROM) forget(root, rel);
      if (e.mask & (IN_CREATE | IN_MOVED_TO)) walk(root, rel, false);
    }
  }
  if (changes.events++ == 0) changes.first_path = shown(root, rel);
}

}  // namespace pmctl::watch
