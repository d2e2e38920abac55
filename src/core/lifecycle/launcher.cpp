#include "core/lifecycle/launcher.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "core/base/clock.hpp"
#include "core/state/dump.hpp"
#include "core/state/log_files.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

bool same_instance(const AppRecord& a, const AppRecord& b) {
  return a.decl == b.decl && a.instance == b.instance && a.endpoint == b.endpoint;
}

}  // namespace

UnitState Launcher::live(const AppRecord& rec) { return deps_.manager.query({unit_of(rec)}).at(0); }

InstanceContext Launcher::context_of(const AppRecord& rec) {
  const Tools& tools = deps_.tools();
  InstanceContext ctx;
  ctx.id = rec.id;
  ctx.instance = rec.instance;
  ctx.slot = rec.slot;
  ctx.endpoint = rec.endpoint;
  ctx.scope = deps_.scope;
  ctx.env_file = deps_.registry.env_file(rec.id).string();
  ctx.backoff_state = deps_.registry.backoff_file(rec.id).string();
  ctx.systemd_cat = tools.systemd_cat;
  ctx.shell = tools.shell;
  ctx.logwriter = tools.logwriter;
  ctx.node_preload = tools.node_preload;
  return ctx;
}

void Launcher::write_env(const AppRecord& rec) {
  // Its env/<id>.json is damaged: the unit starts again with the environment file it had.
  if (rec.env_unreadable && rec.decl.env.empty() &&
      access(deps_.registry.env_file(rec.id).c_str(), F_OK) == 0)
    return;
  auto env = rec.decl.env;
  for (auto& [key, value] : injected_env(rec.decl, context_of(rec))) env[key] = value;
  deps_.registry.write_env_file(rec.id, env);
}

void Launcher::launch(const AppRecord& rec) {
  launch_instance(rec);
  companions_.ensure(rec.decl);
}

void Launcher::launch_instance(const AppRecord& rec) {
  // With the journal off the files are the only store: a directory that cannot be made fails
  // here, with one error line, instead of in the unit.
  if (!rec.decl.logs.journal) create_log_dirs(log_targets(rec.decl.logs, rec.id));
  // Which boot started the app last: `ls` tells apps a reboot took (AppRecord::boot_id).
  if (rec.boot_id != current_boot_id())
    deps_.registry.update([&](RegistryData& d) {
      if (AppRecord* r = d.find(rec.id)) r->boot_id = current_boot_id();
    });
  // The unit `pmctl save` wrote runs the app as it was saved; otherwise it moves to a transient
  // unit.
  if (rec.slot == Slot::Saved) {
    deps_.registry.write_backoff_fresh(rec.id);
    if (launch_saved(rec)) return;
    return launch_instance(move_off_saved(rec));
  }
  InstanceContext ctx = context_of(rec);
  // After a boot the saved socket may be the one that holds the port (a query: only here, where
  // the mapping needs it).
  if (rec.decl.cluster.shared()) ctx.socket_unit = balancers_.base(rec.decl.name) + ".socket";
  // Without it node would exit at once ("Cannot find module") and systemd restart it in a loop.
  if (uses_node_preload(rec.decl) && access(ctx.node_preload.c_str(), R_OK) != 0)
    throw Error("pmctl's node preload '" + ctx.node_preload + "' is missing",
                "install pmctl (or keep pmctl-preload.cjs beside the pmctl binary), or start with "
                "--no-shim");
  write_env(rec);
  deps_.registry.write_backoff_fresh(rec.id);
  const UnitSpec spec = map_service(rec.decl, ctx);
  if (!rec.decl.cluster.shared()) return units_.start_transient_afresh(spec);
  units_.install_unit_file(spec, rec.decl.name);
  deps_.manager.start(spec.name);
}

bool Launcher::launch_saved(const AppRecord& rec) {
  const std::string unit = unit_of(rec);
  const std::string& dir = deps_.tools().boot_unit_dir;
  if (dir.empty() || !fs::exists(fs::path(dir) / unit)) return false;
  const auto saved = read_dump_quietly(deps_.registry.dir());
  const auto it = std::find_if(saved.begin(), saved.end(),
                               [&](const BootApp& a) { return a.record.id == rec.id; });
  if (it == saved.end() || !same_instance(it->record, rec)) return false;
  units_.standby(unit, false);
  deps_.manager.reset_failed(unit);
  deps_.manager.start(unit);
  return true;
}

AppRecord Launcher::move_off_saved(const AppRecord& rec) {
  units_.standby(unit_of(rec), true);
  AppRecord moved = rec;
  moved.slot = Slot::A;
  deps_.registry.update([&](RegistryData& d) {
    if (AppRecord* r = d.find(rec.id)) r->slot = Slot::A;
  });
  return moved;
}

// Shared mode has no endpoint to probe: a connection the replacement does not take yet waits in
// the socket's queue, which every instance serves.
bool Launcher::wait_ready(const AppRecord& rec) {
  // No endpoint to probe (shared mode, a pool): still running a moment after it started.
  if (rec.decl.cluster.shared() || !rec.decl.cluster.balanced()) {
    if (!rec.decl.wait_ready) std::this_thread::sleep_for(kSettle);
    return live(rec).active_state == "active";
  }
  if (rec.decl.wait_ready) return true;
  const std::chrono::milliseconds wait(rec.decl.listen_timeout_ms);
  const auto& probe = deps_.tools().endpoint_ready;
  return probe ? probe(rec.endpoint, wait) : deps_.accepts_within(rec.endpoint, wait);
}

std::vector<std::string> Launcher::not_listening(const std::vector<int>& ids,
                                                 std::chrono::milliseconds timeout) {
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> late;
  for (int id : ids) {
    const AppRecord* rec = data.find(id);
    if (!rec || rec->endpoint.empty()) continue;
    const auto now = std::chrono::steady_clock::now();
    const auto left = deadline > now
                          ? std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)
                          : std::chrono::milliseconds(0);
    if (!deps_.accepts_within(rec->endpoint, left)) late.push_back(rec->endpoint);
  }
  return late;
}

}  // namespace pmctl::core
