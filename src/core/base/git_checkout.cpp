#include "core/base/git_checkout.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "core/base/files.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_hash(std::string_view s) {
  return s.size() >= 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c));
         });
}

/// Calls `each` with every line of `text`, without its newline.
template <typename Each>
void for_each_line(std::string_view text, Each each) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    each(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

std::string read_text(const fs::path& path) { return read_file_if_any(path).value_or(""); }

/// The last `max` bytes of a file, from the start of a line: a reflog grows with every commit,
/// and only its last line is wanted.
std::string read_tail(const fs::path& path, std::streamoff max = 64 * 1024) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > max ? size - max : 0;
  in.seekg(from);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (from > 0)
    text.erase(0, text.find('\n') == std::string::npos ? text.size() : text.find('\n') + 1);
  return text;
}

/// The git directory of a checkout whose `.git` is at `dot_git`: itself, or where its
/// "gitdir: " line points (worktrees, submodules).
std::optional<fs::path> git_dir_of(const fs::path& dot_git) {
  std::error_code ec;
  if (fs::is_directory(dot_git, ec)) return dot_git;
  const std::string text = read_text(dot_git);
  const std::string_view line = trim(text);
  if (!line.starts_with("gitdir:")) return std::nullopt;
  fs::path dir = std::string(trim(line.substr(7)));
  if (dir.is_relative()) dir = dot_git.parent_path() / dir;
  return dir.lexically_normal();
}

/// Where refs, packed-refs and config live: a linked worktree shares its main repository's.
fs::path common_dir_of(const fs::path& git_dir) {
  const std::string text = read_text(git_dir / "commondir");
  const std::string_view line = trim(text);
  if (line.empty()) return git_dir;
  const fs::path dir = std::string(line);
  return (dir.is_relative() ? git_dir / dir : dir).lexically_normal();
}

/// The hash of `ref`: its loose file, else packed-refs.
std::string resolve_ref(const fs::path& git_dir, const fs::path& common, const std::string& ref) {
  for (const fs::path& dir : {git_dir, common}) {
    const std::string loose = read_text(dir / ref);
    if (is_hash(trim(loose))) return std::string(trim(loose));
  }
  return git::packed_ref(read_text(common / "packed-refs"), ref);
}

bool ref_exists(const fs::path& common, const std::string& ref) {
  std::error_code ec;
  return fs::exists(common / ref, ec) ||
         !git::packed_ref(read_text(common / "packed-refs"), ref).empty();
}

/// "commit: fix x" -> "fix x"; "commit (amend): y" -> "y"; others as they are.
std::string comment_of(const std::string& message) {
  if (!message.starts_with("commit")) return message;
  const auto colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

void read_remotes(const fs::path& common, GitCheckout& out) {
  const auto remotes = git::remotes(read_text(common / "config"));
  for (const auto& [name, url] : remotes) out.remotes.push_back(name);
  if (remotes.empty()) return;
  auto chosen = std::find_if(remotes.begin(), remotes.end(),
                             [](const auto& r) { return r.first == "origin"; });
  if (chosen == remotes.end()) chosen = remotes.begin();
  out.remote = chosen->first;
  out.url = chosen->second;
  if (!out.branch.empty())
    out.branch_exists_on_remote =
        ref_exists(common, "refs/remotes/" + out.remote + "/" + out.branch);
}

std::optional<GitCheckout> read_at(const fs::path& repo, const fs::path& git_dir) {
  const std::string head_text = read_text(git_dir / "HEAD");
  if (trim(head_text).empty()) return std::nullopt;
  const fs::path common = common_dir_of(git_dir);
  GitCheckout out;
  out.repo_path = repo.string();
  const std::string ref = git::head_ref(head_text);
  if (ref.empty()) {
    out.revision = std::string(trim(head_text));
  } else {
    out.branch = ref.starts_with("refs/heads/") ? ref.substr(11) : ref;
    out.revision = resolve_ref(git_dir, common, ref);
  }
  if (const auto last = git::last_reflog_entry(read_tail(git_dir / "logs" / "HEAD"))) {
    out.comment = comment_of(last->message);
    out.update_time_ms = last->time_ms;
  }
  read_remotes(common, out);
  return out;
}

}  // namespace

std::optional<GitCheckout> read_git_checkout(const std::string& dir, int max_up) {
  if (dir.empty()) return std::nullopt;
  fs::path at = fs::path(dir).lexically_normal();
  for (int up = 0; up <= max_up; ++up) {
    std::error_code ec;
    if (fs::exists(at / ".git", ec)) {
      const auto git_dir = git_dir_of(at / ".git");
      return git_dir ? read_at(at, *git_dir) : std::nullopt;
    }
    if (!at.has_relative_path()) break;
    at = at.parent_path();
  }
  return std::nullopt;
}

namespace git {

std::string head_ref(std::string_view head) {
  head = trim(head);
  if (!head.starts_with("ref:")) return "";
  return std::string(trim(head.substr(4)));
}

std::string packed_ref(std::string_view packed_refs, std::string_view ref) {
  std::string found;
  for_each_line(packed_refs, [&](std::string_view line) {
    if (!found.empty() || line.empty() || line.front() == '#' || line.front() == '^') return;
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return;
    if (trim(line.substr(space + 1)) == ref && is_hash(line.substr(0, space)))
      found = std::string(line.substr(0, space));
  });
  return found;
}

std::vector<std::pair<std::string, std::string>> remotes(std::string_view config) {
  std::vector<std::pair<std::string, std::string>> out;
  bool in_remote = false;
  for_each_line(config, [&](std::string_view raw) {
    const std::string_view line = trim(raw);
    if (line.starts_with("[")) {
      // [remote "origin"]
      in_remote = false;
      const auto open = line.find('"');
      const auto close = line.rfind('"');
      if (trim(line.substr(1, open == std::string_view::npos ? 0 : open - 1)) == "remote" &&
          close > open) {
        out.emplace_back(std::string(line.substr(open + 1, close - open - 1)), "");
        in_remote = true;
      }
      return;
    }
    if (!in_remote) return;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || trim(line.substr(0, eq)) != "url") return;
    if (out.back().second.empty()) out.back().second = std::string(trim(line.substr(eq + 1)));
  });
  return out;
}

std::optional<ReflogEntry> last_reflog_entry(std::string_view reflog) {
  std::optional<ReflogEntry> last;
  for_each_line(reflog, [&](std::string_view line) {
    // <old> <new> <name> <<email>> <seconds> <tz>\t<message>
    const auto tab = line.find('\t');
    const auto email_end = line.rfind('>', tab);
    if (tab == std::string_view::npos || email_end == std::string_view::npos) return;
    const std::string_view when = trim(line.substr(email_end + 1, tab - email_end - 1));
    std::uint64_t seconds = 0;
    std::from_chars(when.data(), when.data() + when.size(), seconds);
    last = ReflogEntry{std::string(line.substr(tab + 1)), seconds * 1000};
  });
  return last;
}

}  // namespace git
}  // namespace pmctl::core
