#pragma once
// Which paths pmctl-watch ignores: PM2's ignore_watch (--ignore), or PM2's default without one.
// Every path is tested relative to the watched root it is under (a --path directory), and
// absolute patterns against the absolute path. The root itself, and a file named by --path,
// are never ignored: they are what the user asked to watch.
//
// - No --ignore: PM2's default, chokidar's /[\/\\]\.|node_modules/: a path is ignored when one
//   of its components starts with "." (dotfiles, .git, .cache) or contains "node_modules".
//   Unlike chokidar, only the part below the root counts, so an app under ~/.local/app is
//   watched. With --ignore, the default is replaced, not added to (as in PM2).
// - A leading "./" and trailing "/" are dropped: "./logs/" is "logs".
// - A backslash takes the next character literally: "\.git" is ".git", "\*" a star.
// - A pattern without glob characters (*, ? or [ not escaped) is a name or a path:
//   "logs" ignores "logs", "logs/a.log", "src/logs" and "src/logs/x" (any component equal to
//   it); "client/img" ignores "client/img" and what is under it (a prefix of the relative path,
//   by whole components), not "x/client/img".
// - A pattern with glob characters is matched with fnmatch(3), without FNM_PATHNAME (so * and ?
//   match "/" too), against the relative path and against the last component: "*.log" ignores
//   "a.log" and "logs/2024/a.log"; "src/*.tmp" ignores "src/a.tmp" and "src/x/a.tmp".
// - A pattern starting with "/" is absolute, matched the same way against the absolute path:
//   "/srv/app/cache" ignores that directory and what is under it; "/srv/app/*.log" with fnmatch.
// An ignored directory is neither walked nor watched, so nothing under it costs anything.

#include <string>
#include <string_view>
#include <vector>

namespace pmctl::watch {

class Ignore {
 public:
  /// The patterns given with --ignore; none: PM2's default.
  explicit Ignore(const std::vector<std::string>& patterns);

  /// Whether the path `relative` (to its root; "" is the root) at `absolute` is ignored.
  bool ignores(std::string_view relative, std::string_view absolute) const;

  /// What is ignored, for the start line: "dotfiles and node_modules" or "'logs', '*.log'".
  std::string describe() const;

 private:
  struct Pattern {
    std::string text;  ///< escapes resolved (a literal) or as given (a glob, for fnmatch)
    bool glob = false;
    bool absolute = false;
    bool one_component = false;  ///< a literal without "/": any component may equal it
  };
  static Pattern parse(std::string_view given);
  static bool matches(const Pattern& p, std::string_view relative, std::string_view absolute);

  std::vector<std::string> given_;
  std::vector<Pattern> patterns_;
};

}  // namespace pmctl::watch
