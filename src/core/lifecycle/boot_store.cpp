// Every file save replaces or removes is read first (FileUndo); if a write, the daemon-reload or
// the dump fails, all of them are put back and the manager reloaded again, so the previous saved
// state stays in place.
#include "core/lifecycle/boot_store.hpp"

#include <filesystem>

#include "core/base/envfile.hpp"
#include "core/base/files.hpp"
#include "core/base/on_failure.hpp"
#include "core/cluster/cluster.hpp"
#include "core/state/dump.hpp"
#include "core/types/error.hpp"
#include "core/units/balancer_units.hpp"
#include "core/units/companion_units.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

}  // namespace

fs::path BootStore::unit_dir() {
  if (deps_.tools().boot_unit_dir.empty())
    throw Error("no directory for the saved unit files: $HOME is not set",
                "set HOME, or run as root");
  return deps_.tools().boot_unit_dir;
}

BootPaths BootStore::paths() {
  const Tools& tools = deps_.tools();
  BootPaths paths;
  paths.scope = deps_.scope;
  paths.state_dir = deps_.registry.dir().string();
  paths.runtime_dir = tools.runtime_dir;
  paths.programs.systemd_cat = tools.systemd_cat;
  paths.programs.shell = tools.shell;
  paths.programs.logwriter = tools.logwriter;
  paths.programs.node_preload = tools.node_preload;
  paths.balancer = tools.balancer;
  paths.pmctl = deps_.pmctl_binary();
  paths.memguard = tools.memguard;
  paths.watch = tools.watch;
  return paths;
}

int BootStore::save(bool force) {
  const RegistryData data = deps_.registry.load();
  if (data.apps.empty() && !force) return -1;
  for (const auto& rec : data.apps)
    if (rec.env_unreadable && rec.decl.env.empty())
      throw Error("the environment of '" + rec.decl.name + "' (id " + std::to_string(rec.id) +
                      ") cannot be read: its file is damaged, so it cannot be saved",
                  "'pmctl restart " + std::to_string(rec.id) +
                      " --update-env' gives it your environment, 'pmctl delete " +
                      std::to_string(rec.id) + "' removes it; then save again");
  std::vector<BootApp> apps;
  for (const auto& v : views_.of(data, data.ids())) apps.push_back({v.record, !is_up(v.status)});
  write_files(apps, true);
  return static_cast<int>(apps.size());
}

void BootStore::clear_dump() { write_files({}, false); }

void BootStore::write_files(const std::vector<BootApp>& apps, bool keep_units_of_running) {
  const fs::path dir = unit_dir();
  const fs::path state = deps_.registry.dir();
  const auto files = render_boot_units(apps, paths());  // throws before anything changed
  std::set<std::string> names;
  for (const auto& f : files) names.insert(f.name);
  {
    FileUndo undo;
    const OnFailure put_back([&] {
      undo.roll_back();
      deps_.manager.reload_daemon();
    });
    for (const auto& f : files) undo.write(dir / f.name, f.text, 0644);
    // What the last save wrote and this one does not: apps deleted since.
    for (const auto& old : saved_unit_names(state))
      if (!names.contains(old)) undo.remove(dir / old);
    write_saved_copies(undo, apps);
    set_standby_flags(names, apps, keep_units_of_running);
    deps_.manager.reload_daemon();
    undo.remember(dump_path(state));
    undo.remember(dump_bak_path(state));
    write_dump(state, apps);
    std::string manifest;
    for (const auto& n : names) manifest += n + "\n";
    undo.write(saved_manifest_path(state), manifest, 0600);
  }
  remove_unsaved_environments(apps);
}

// What the saved units read besides their own files: each instance's environment (with pmctl's
// injected variables, as its transient unit gets them), a balancer's backend file and, where
// the hardened service cannot see the balancer binary, a copy of it.
void BootStore::write_saved_copies(FileUndo& undo, const std::vector<BootApp>& apps) {
  const fs::path state = deps_.registry.dir();
  const std::string& balancer = deps_.tools().balancer;
  for (const auto& app : apps) {
    AppRecord saved = app.record;
    saved.slot = Slot::Saved;
    auto env = saved.decl.env;
    for (auto& [key, value] : injected_env(saved.decl, launcher_.context_of(saved)))
      env[key] = value;
    undo.write(saved_env_path(state, saved.id), render_environment_file(env), 0600);
    const AppDecl& decl = app.record.decl;
    if (!decl.cluster.balanced() || decl.cluster.shared()) continue;
    undo.write(saved_backends_path(state, decl.name), saved_backends_text(apps, decl.name), 0644);
    if (!balancer_needs_copy(balancer, deps_.scope)) continue;
    const auto binary = read_regular_file(balancer);
    if (!binary)
      throw Error("cannot read the balancer '" + balancer + "'", "build it, or install pmctl");
    undo.write(saved_balancer_copy(state), *binary, 0755);
  }
}

// Nothing saved may start beside the transient unit that runs the app now: every saved unit
// stands by, except those that run the app themselves (after a boot).
void BootStore::set_standby_flags(const std::set<std::string>& names,
                                  const std::vector<BootApp>& apps, bool keep_units_of_running) {
  std::set<std::string> awake;
  std::set<std::string> balancers_asked;  // one query per cluster app, not per instance
  std::set<std::string> companions_asked;
  for (const auto& app : apps) {
    if (!keep_units_of_running) break;
    if (app.record.slot == Slot::Saved && !app.stopped) awake.insert(unit_of(app.record));
    const std::string& name = app.record.decl.name;
    // A saved companion that runs now (after a boot) is the app's: it stays awake (once per app).
    for (const auto& info : companion_kinds()) {
      if (!wants_companion(app.record.decl, info.kind) || companions_asked.contains(name)) continue;
      const std::string saved = companion_units(name, info.kind, true).at(0);
      if (deps_.manager.query({saved}, false).at(0).active_state == "active") awake.insert(saved);
    }
    companions_asked.insert(name);
    if (!app.record.decl.cluster.balanced() || !balancers_asked.insert(name).second) continue;
    const std::string base = saved_balancer_base(name);
    if (balancers_.base(name) == base) {
      awake.insert(base + ".socket");
      awake.insert(base + ".service");
    }
  }
  for (const auto& name : names)
    if (is_saved_unit(name)) units_.standby(name, !awake.contains(name));
}

void BootStore::remove_unsaved_environments(const std::vector<BootApp>& apps) {
  std::set<std::string> keep;
  for (const auto& a : apps) keep.insert(std::to_string(a.record.id) + ".env");
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(deps_.registry.dir() / "saved" / "env", ec))
    if (!keep.contains(entry.path().filename().string())) fs::remove(entry.path(), ec);
}

}  // namespace pmctl::core
