#pragma once
// The directories pmctl-watch watches: one inotify watch per directory under each --path, kept
// up to date as directories come and go. Only directories are stored (watch -> its path relative
// to its root), never files, so a tree of 10,000 files in 500 directories costs 500 small
// entries. Library code: what goes wrong is collected in notes() for main to print.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "watch/ignore.hpp"

struct inotify_event;

namespace pmctl::watch {

/// What one read of the inotify descriptor found: the changes that are not ignored.
struct Changes {
  std::size_t events = 0;
  std::string first_path;  ///< relative to its root, absolute when there are several roots
};

class Tree {
 public:
  /// Opens the inotify descriptor (close-on-exec, non-blocking); ok() says whether it could.
  Tree(const Ignore& ignore, bool follow_symlinks);
  ~Tree();
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  /// Watches an absolute path: a directory with all it holds (but what is ignored), or a file
  /// through its parent directory. One that does not exist gets a note.
  void add_root(const std::string& path);

  std::size_t directories() const { return dirs_.size(); }
  /// The --path arguments that could be watched.
  std::vector<std::string> roots() const;
  std::vector<std::string> take_notes();

  /// Reads all the events that are ready: watches new directories, drops those that went away,
  /// re-walks everything after a queue overflow (which counts as a change).
  Changes read_events();

 private:
  struct Root {
    std::string given;  ///< the --path
    std::string dir;    ///< absolute
    std::string file;   ///< a --path that is a file: its name in `dir`; empty for a directory
  };
  struct Dir {
    std::size_t root = 0;
    std::string rel;                ///< relative to the root's dir, "" for the dir itself
    std::vector<std::string> only;  ///< watched for these file names only (file roots)
  };

  void walk(std::size_t root, const std::string& rel, bool again);
  void forget(std::size_t root, const std::string& rel);
  void note_watch_failure(const std::string& path, int error);
  std::string shown(std::size_t root, const std::string& rel) const;
  void handle(const ::inotify_event& e, Changes& changes);

  const Ignore& ignore_;
  bool follow_;
  int fd_ = -1;
  std::vector<Root> roots_;
  std::unordered_map<int, Dir> dirs_;
  std::vector<std::string> notes_;
  bool limit_noted_ = false;  ///< the watch limit has been reached (said once)
};

}  // namespace pmctl::watch
