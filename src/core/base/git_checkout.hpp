#pragma once
// PM2's `versioning` (its vizion module): which git checkout an app runs from, read from the
// files under .git, without running git. Reads only: HEAD, the ref it names (loose or packed),
// config (remotes), logs/HEAD (last message and time). A worktree's or submodule's `.git` file
// ("gitdir: ...") and a worktree's `commondir` are followed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

struct GitCheckout {
  std::string repo_path;  ///< The directory that holds `.git`.
  std::string branch;     ///< Empty when HEAD is detached.
  std::string revision;   ///< The commit HEAD names (hex); empty in a repository with no commit.
  std::string comment;    ///< The last message in HEAD's reflog ("commit: " and the like cut).
  std::vector<std::string> remotes;      ///< In the order config lists them.
  std::string remote;                    ///< "origin" if there is one, else the first remote.
  std::string url;                       ///< The remote's url.
  bool branch_exists_on_remote = false;  ///< refs/remotes/<remote>/<branch> exists.
  std::uint64_t update_time_ms = 0;      ///< When HEAD last moved (reflog), 0 if unknown.
};

/// The checkout that holds `dir`, looking up at most `max_up` parent directories; nullopt when
/// there is none or its HEAD cannot be read.
std::optional<GitCheckout> read_git_checkout(const std::string& dir, int max_up = 32);

namespace git {
/// "ref: refs/heads/main" -> "refs/heads/main"; a hash -> empty (detached).
std::string head_ref(std::string_view head);
/// The hash `ref` has in a packed-refs file, or empty.
std::string packed_ref(std::string_view packed_refs, std::string_view ref);
/// The remotes of a git config file, in order, with their urls ("" when a remote has none).
std::vector<std::pair<std::string, std::string>> remotes(std::string_view config);
/// The message and the time (ms) of the last line of a reflog; nullopt when there is none.
struct ReflogEntry {
  std::string message;
  std::uint64_t time_ms = 0;
};
std::optional<ReflogEntry> last_reflog_entry(std::string_view reflog);
}  // namespace git

}  // namespace pmctl::core
