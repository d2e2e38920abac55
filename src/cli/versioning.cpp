#include "cli/versioning.hpp"

#include <chrono>
#include <filesystem>
#include <map>

#include "core/text/date_format.hpp"

namespace pmctl::cli {
namespace {

std::string iso(std::uint64_t ms) {
  const std::chrono::system_clock::time_point t{std::chrono::milliseconds(ms)};
  return core::iso_utc(core::moment_of(t));
}

}  // namespace

std::optional<core::GitCheckout> app_checkout(const core::AppDecl& decl) {
  if (!decl.vizion) return std::nullopt;
  // As PM2: the script's directory; a command string has only its working directory. Apps of one
  // project share it: each directory is read once per command.
  const std::string dir =
      decl.command_string ? decl.cwd : std::filesystem::path(decl.script).parent_path().string();
  static std::map<std::string, std::optional<core::GitCheckout>> by_dir;
  if (auto it = by_dir.find(dir); it != by_dir.end()) return it->second;
  return by_dir[dir] = core::read_git_checkout(dir);
}

nlohmann::json versioning_json(const std::optional<core::GitCheckout>& c) {
  if (!c) return nullptr;
  nlohmann::json j = {{"type", "git"},
                      {"url", c->url.empty() ? nlohmann::json(nullptr) : nlohmann::json(c->url)},
                      {"revision", c->revision},
                      {"comment", c->comment},
                      {"branch", c->branch.empty() ? "HEAD" : c->branch},
                      {"remotes", c->remotes},
                      {"remote", c->remote},
                      {"branch_exists_on_remote", c->branch_exists_on_remote},
                      {"repo_path", c->repo_path}};
  j["update_time"] = c->update_time_ms ? nlohmann::json(iso(c->update_time_ms)) : nullptr;
  return j;
}

std::vector<std::vector<std::string>> versioning_rows(const std::optional<core::GitCheckout>& c) {
  if (!c) return {};
  return {{"revision control", "git"},
          {"remote url", c->url.empty() ? "N/A" : c->url},
          {"repository root", c->repo_path},
          {"last update", c->update_time_ms ? iso(c->update_time_ms) : "N/A"},
          {"revision", c->revision.empty() ? "N/A" : c->revision},
          {"comment", c->comment.empty() ? "N/A" : c->comment},
          {"branch", c->branch.empty() ? "HEAD (detached)" : c->branch}};
}

}  // namespace pmctl::cli
