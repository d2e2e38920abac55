// PM2's save and cleardump: the dump and the unit files that start the apps at boot, written
// as one transaction. Every file it replaces or removes is read first; if writing, the
// daemon-reload or the dump fails, all of them are put back and the manager reloaded again,
// so the previous saved state stays in place.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "core/balancer_units.hpp"
#include "core/cluster.hpp"
#include "core/dump.hpp"
#include "core/envfile.hpp"
#include "core/error.hpp"
#include "core/lifecycle.hpp"
#include "core/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_text(const fs::path& path) {
  std::error_code ec;
  const auto type = fs::symlink_status(path, ec).type();
  if (type == fs::file_type::not_found) return std::nullopt;
  if (type != fs::file_type::regular && type != fs::file_type::symlink)
    throw Error("cannot replace '" + path.string() + "': it is not a file", "move it out of the way, then save again");
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

fs::path manifest_path(const fs::path& state_dir) { return state_dir / "saved" / "units"; }

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

/// The files a save changes, as they were, to put back if the save fails.
class Undo {
 public:
  void remember(const fs::path& path) {
    for (const auto& [p, _] : saved_)
      if (p == path) return;
    saved_.emplace_back(path, read_text(path));
  }
  void write(const fs::path& path, const std::string& text, unsigned mode) {
    remember(path);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    write_file_atomically(path, text, mode);
  }
  void remove(const fs::path& path) {
    remember(path);
    std::error_code ec;
    fs::remove(path, ec);
  }
  void roll_back() noexcept {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      try {
        std::error_code ec;
        if (it->second) write_file_atomically(it->first, *it->second, it->first.string().ends_with(".env") ? 0600 : 0644);
        else fs::remove(it->first, ec);
      } catch (const std::exception&) {
      }
    }
  }

 private:
  std::vector<std::pair<fs::path, std::optional<std::string>>> saved_;
};

}  // namespace

int Lifecycle::save(bool force) {
  const RegistryData data = registry_.load();
  if (data.apps.empty() && !force) return -1;
  std::vector<BootApp> apps;
  const auto views_now = views(data, data.ids());
  for (const auto& v : views_now)
    apps.push_back({v.record, !(v.status == Status::Online || v.status == Status::Launching ||
                                v.status == Status::WaitingRestart)});
  write_boot_files(apps, true);
  return static_cast<int>(apps.size());
}

void Lifecycle::clear_dump() { write_boot_files({}, false); }

void Lifecycle::write_boot_files(const std::vector<BootApp>& apps, bool keep_units_of_running) {
  if (tools().boot_unit_dir.empty())
    throw Error("no directory for the saved unit files: $HOME is not set", "set HOME, or run as root");
  const fs::path dir = tools().boot_unit_dir;
  const fs::path state = registry_.dir();
  const BootPaths paths = boot_paths();
  const auto files = render_boot_units(apps, paths);  // throws before anything changed
  std::set<std::string> names;
  for (const auto& f : files) names.insert(f.name);
  std::set<int> ids;
  for (const auto& a : apps) ids.insert(a.record.id);
  Undo undo;
  try {
    for (const auto& f : files) undo.write(dir / f.name, f.text, 0644);
    for (const auto& old : read_lines(manifest_path(state)))
      if (!names.contains(old)) undo.remove(dir / old);
    for (const auto& app : apps) {
      AppRecord saved = app.record;
      saved.slot = kSlotSaved;
      auto env = saved.decl.env;
      for (auto& [key, value] : injected_env(saved.decl, context_of(saved))) env[key] = value;
      undo.write(saved_env_path(state, saved.id), render_environment_file(env), 0600);
      const AppDecl& decl = app.record.decl;
      if (decl.cluster.enabled && !decl.cluster.shared())
        undo.write(saved_backends_path(state, decl.name), saved_backends_text(apps, decl.name), 0644);
      if (decl.cluster.enabled && !decl.cluster.shared() && balancer_needs_copy(paths.balancer, scope_)) {
        const auto binary = read_text(paths.balancer);
        if (!binary) throw Error("cannot read the balancer '" + paths.balancer + "'", "build it, or install pmctl");
        undo.write(saved_balancer_copy(state), *binary, 0755);
      }
    }
    // Nothing saved may start beside the transient unit that runs the app now.
    for (const auto& name : names)
      if (is_saved_unit(name)) standby(name, true);
    if (keep_units_of_running)
      for (const auto& app : apps)
        if (app.record.slot == kSlotSaved && !app.stopped) standby(unit_of(app.record), false);
    if (keep_units_of_running)
      for (const auto& name : names)
        if (name.ends_with("-lb-s.socket") || name.ends_with("-lb-s.service"))
          for (const auto& app : apps)
            if (name.starts_with(saved_balancer_base(app.record.decl.name) + ".") &&
                balancer_base(app.record.decl.name) == saved_balancer_base(app.record.decl.name))
              standby(name, false);
    manager_.reload_daemon();
    undo.remember(dump_path(state));
    undo.remember(dump_bak_path(state));
    write_dump(state, apps);
    std::string manifest;
    for (const auto& n : names) manifest += n + "\n";
    undo.write(manifest_path(state), manifest, 0600);
  } catch (...) {
    undo.roll_back();
    try {
      manager_.reload_daemon();
    } catch (const std::exception&) {
    }
    throw;
  }
  // Environments of instances no longer saved.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(state / "saved" / "env", ec)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() == ".env" && !ids.contains(std::atoi(stem.c_str()))) fs::remove(entry.path(), ec);
  }
}

}  // namespace pmctl::core
