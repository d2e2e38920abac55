// Saved units at run time. `pmctl save` writes each instance as a unit file of its own name
// (pmctl-<name>-<id>-s.service), beside the transient unit that runs it now: a transient unit
// cannot be turned into a unit file without a restart, and a unit file of the transient's own
// name would keep the transient loaded for good (pmctl.target refers to it). After a boot the
// saved units run and the registry points at them (AppRecord::slot 2). pmctl then starts an
// instance on its saved unit while its declaration is the one saved, and moves it to a
// transient unit once it changed. A saved unit pmctl stops gets a standby flag in the runtime
// directory, which its ConditionPathExists= reads, so that starting pmctl.target by hand never
// runs an app twice; the runtime directory is empty at boot, so every saved unit starts then.
#include <unistd.h>

#include <filesystem>

#include "core/base/files.hpp"
#include "core/units/balancer_units.hpp"
#include "core/state/dump.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

bool same_instance(const AppRecord& a, const AppRecord& b) {
  return a.decl == b.decl && a.instance == b.instance && a.endpoint == b.endpoint;
}

}  // namespace

void Lifecycle::standby(const std::string& unit, bool on) {
  if (tools().runtime_dir.empty()) return;
  const fs::path flag = standby_flag(tools().runtime_dir, unit);
  std::error_code ec;
  if (!on) {
    fs::remove(flag, ec);
    return;
  }
  fs::create_directories(flag.parent_path(), ec);
  write_file_atomically(flag, "", 0644);
}

bool Lifecycle::launch_saved(const AppRecord& rec) {
  const std::string unit = unit_of(rec);
  if (tools().boot_unit_dir.empty() || !fs::exists(fs::path(tools().boot_unit_dir) / unit)) return false;
  const auto saved = read_dump_quietly(registry_.dir());
  const auto it = std::find_if(saved.begin(), saved.end(), [&](const BootApp& a) { return a.record.id == rec.id; });
  if (it == saved.end() || !same_instance(it->record, rec)) return false;
  standby(unit, false);
  manager_.reset_failed(unit);
  manager_.start(unit);
  return true;
}

AppRecord Lifecycle::move_off_saved(const AppRecord& rec) {
  standby(unit_of(rec), true);
  AppRecord moved = rec;
  moved.slot = kSlotA;
  registry_.update([&](RegistryData& d) {
    if (AppRecord* r = d.find(rec.id)) r->slot = kSlotA;
  });
  return moved;
}

// The saved socket holds the public port after a boot until pmctl stops it; otherwise the
// balancer is the transient one.
std::string Lifecycle::balancer_base(const std::string& name) {
  const std::string saved = saved_balancer_base(name);
  const UnitState state = manager_.query({saved + ".socket"}).at(0);
  if (state.active_state == "active" || state.active_state == "activating") return saved;
  return balancer_unit_base(name);
}

// While every instance of the app runs on its saved unit (after a resurrect), so does the
// balancer: the saved one reads the same runtime backend file.
bool Lifecycle::start_saved_balancer(const AppDecl& decl) {
  const std::string base = saved_balancer_base(decl.name);
  if (tools().boot_unit_dir.empty() || !fs::exists(fs::path(tools().boot_unit_dir) / (base + ".socket"))) return false;
  const RegistryData data = registry_.load(Registry::Environments::Skip);
  for (const auto& app : data.apps)
    if (app.decl.name == decl.name && app.slot != kSlotSaved) return false;
  if (!decl.cluster.shared()) write_backends(data, decl.name);
  for (const char* type : {".socket", ".service"}) {
    standby(base + type, false);
    manager_.reset_failed(base + type);
  }
  manager_.start(base + ".socket");
  manager_.start(base + ".service");
  return true;
}

BootPaths Lifecycle::boot_paths() {
  BootPaths paths;
  paths.scope = scope_;
  paths.state_dir = registry_.dir().string();
  paths.runtime_dir = tools().runtime_dir;
  paths.programs.systemd_cat = tools().systemd_cat;
  paths.programs.shell = tools().shell;
  paths.programs.logwriter = tools().logwriter;
  paths.programs.node_preload = tools().node_preload;
  paths.balancer = tools().balancer;
  return paths;
}

}  // namespace pmctl::core
