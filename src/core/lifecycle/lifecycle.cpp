#include "core/lifecycle/lifecycle.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>

#include "core/types/error.hpp"
#include "core/state/log_files.hpp"
#include "core/units/mapping.hpp"
#include "core/base/resources.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

/// How long to wait for systemd to unload a stopped unit before reusing it in place.
constexpr std::chrono::milliseconds kUnloadWait{3000};

bool is_running(Status s) {
  return s == Status::Online || s == Status::Launching || s == Status::WaitingRestart;
}

/// PM2 counts a manual restart only when the app was online or launching.
bool counts_manual_restart(Status s) { return s == Status::Online || s == Status::Launching; }

std::string id_text(int id) { return std::to_string(id); }

}  // namespace

std::uint64_t now_usec() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::uint64_t now_ms() { return now_usec() / 1000; }

Lifecycle::Lifecycle(Registry& registry, Manager& manager, Scope scope, Tools tools)
    : registry_(registry), manager_(manager), scope_(scope), tools_(std::move(tools)) {}

Lifecycle::Lifecycle(Registry& registry, Manager& manager, Scope scope, std::function<Tools()> find_tools)
    : registry_(registry), manager_(manager), scope_(scope), find_tools_(std::move(find_tools)) {}

const Tools& Lifecycle::tools() {
  if (!tools_) tools_ = find_tools_();
  return *tools_;
}

std::string Lifecycle::unit_of(const AppRecord& rec) const {
  return service_unit_name(rec.decl.name, rec.id, rec.slot);
}

AppRecord Lifecycle::record(int id) const {
  auto data = registry_.load();
  const AppRecord* rec = data.find(id);
  if (!rec) throw Error("no app with id " + id_text(id), "see 'pmctl ls' for the registered apps");
  return *rec;
}

UnitState Lifecycle::live(const AppRecord& rec) { return manager_.query({unit_of(rec)}).at(0); }

int Lifecycle::start_new(const AppDecl& decl, bool force) {
  validate_app_name(decl.name);
  const auto data = registry_.load(Registry::Environments::Skip);
  std::vector<int> same_name;
  for (const auto& app : data.apps)
    if (app.decl.name == decl.name) same_name.push_back(app.id);
  for (const auto& app : data.apps)
    if (app.decl.name == decl.name && app.decl.cluster.enabled)
      throw Error("'" + decl.name + "' is a cluster app (id " + id_text(app.id) + ")",
                  "use 'pmctl restart " + decl.name + "', or another --name for a fork-mode app");
  if (!same_name.empty() && !force) {
    for (const auto& view : views(data, same_name)) {
      if (is_running(view.status))
        throw Error("app '" + decl.name + "' is already running (id " +
                        id_text(view.record.id) + ")",
                    "use 'pmctl restart " + decl.name + "', or -f to start another copy");
    }
    const AppRecord* old = data.find(same_name.front());
    if (old->decl.script != decl.script)
      throw Error("an app named '" + decl.name + "' already exists for " + old->decl.script,
                  "choose another --name, delete it first, or use -f to add another app");
    // PM2's smart start: the stopped app of that name starts again, with the new declaration.
    int id = old->id;
    registry_.update([&](RegistryData& d) { d.find(id)->decl = decl; });
    if (decl.autostart) start(id);
    return id;
  }
  int id = 0;
  AppRecord rec;
  registry_.update([&](RegistryData& d) {
    id = d.allocate_id();
    rec.id = id;
    rec.decl = decl;
    rec.created_at_ms = now_ms();
    d.apps.push_back(rec);
  });
  // PM2's autostart: false registers the app as stopped; `pmctl start` launches it later.
  if (!decl.autostart) return id;
  try {
    launch(rec);
  } catch (...) {
    // A failed start leaves nothing behind: no registry entry, no files, no failed unit. A
    // stop too, not only a reset: with Restart=always a unit whose start job failed may already
    // be waiting to restart (activating), which a reset alone leaves in place.
    try {
      stop_unit(unit_of(rec));
    } catch (const ManagerError&) {
    }
    bool last_of_name = true;
    registry_.update([&](RegistryData& d) {
      d.remove(id);
      for (const auto& app : d.apps) last_of_name = last_of_name && app.decl.name != decl.name;
    });
    registry_.remove_instance_files(id);
    if (last_of_name) {
      try {
        manager_.stop(app_slice_name(decl.name));
      } catch (const ManagerError&) {
      }
    }
    throw;
  }
  return id;
}

InstanceContext Lifecycle::context_of(const AppRecord& rec) {
  InstanceContext ctx;
  ctx.id = rec.id;
  ctx.instance = rec.instance;
  ctx.slot = rec.slot;
  ctx.endpoint = rec.endpoint;
  ctx.scope = scope_;
  ctx.env_file = registry_.env_file(rec.id).string();
  ctx.backoff_state = registry_.backoff_file(rec.id).string();
  ctx.systemd_cat = tools().systemd_cat;
  ctx.shell = tools().shell;
  ctx.logwriter = tools().logwriter;
  ctx.node_preload = tools().node_preload;
  return ctx;
}

void Lifecycle::write_env(const AppRecord& rec) {
  auto env = rec.decl.env;
  for (auto& [key, value] : injected_env(rec.decl, context_of(rec))) env[key] = value;
  registry_.write_env_file(rec.id, env);
}

void Lifecycle::launch(const AppRecord& rec) {
  // The unit `pmctl save` wrote runs the app as it was saved; otherwise it moves to a transient unit.
  if (rec.slot == kSlotSaved) {
    registry_.write_backoff_fresh(rec.id);
    if (launch_saved(rec)) return;
    return launch(move_off_saved(rec));
  }
  InstanceContext ctx = context_of(rec);
  // After a boot the saved socket may be the one that holds the port (a query: only here, where
  // the mapping needs it).
  if (rec.decl.cluster.shared()) ctx.socket_unit = balancer_base(rec.decl.name) + ".socket";
  // Without it node would exit at once ("Cannot find module") and systemd restart it in a loop.
  if (uses_node_preload(rec.decl) && access(ctx.node_preload.c_str(), R_OK) != 0)
    throw Error("pmctl's node preload '" + ctx.node_preload + "' is missing",
                "install pmctl (or keep pmctl-preload.cjs beside the pmctl binary), or start with --no-shim");
  write_env(rec);
  registry_.write_backoff_fresh(rec.id);
  const UnitSpec spec = map_service(rec.decl, ctx);
  if (rec.decl.cluster.shared()) return launch_shared(rec, spec);
  try {
    start_transient(spec);
    return;
  } catch (const ManagerError& e) {
    if (e.name() != kUnitExists) throw;
  }
  // The unit is still loaded from an earlier run (failed, or not yet garbage-collected).
  manager_.reset_failed(spec.name);
  if (manager_.wait_unloaded(spec.name, kUnloadWait))
    start_transient(spec);
  else
    manager_.start(spec.name);
}

void Lifecycle::fold_restarts(int id, std::uint32_t extra) {
  if (extra == 0) return;
  registry_.update([&](RegistryData& d) {
    if (AppRecord* rec = d.find(id)) rec->restarts += extra;
  });
}

void Lifecycle::stop_unit(const std::string& unit) {
  // A saved unit pmctl stops must not come back when someone starts pmctl.target.
  if (is_saved_unit(unit)) standby(unit, true);
  manager_.stop(unit);
  // An app that answers SIGINT with exit 1 or 130, or that needed SIGKILL, leaves a failed
  // unit; a deliberate stop must end `stopped`, so clear it (this also unloads the unit).
  manager_.reset_failed(unit);
}

void Lifecycle::start(int id) {
  const AppRecord rec = record(id);
  const UnitState state = live(rec);
  const Status status = status_of(state, rec.decl.restart);
  if (is_running(status)) {
    restart(id);
    return;
  }
  if (state.loaded) {
    // errored (or exited with autorestart off): keep the restarts it made, then start afresh.
    stop_unit(unit_of(rec));
    fold_restarts(id, automatic_restarts(state, rec.decl.restart));
  }
  launch(rec);
  if (rec.decl.cluster.enabled) ensure_balancer(rec);
}

void Lifecycle::restart(int id) {
  const AppRecord rec = record(id);
  const UnitState state = live(rec);
  const Status status = status_of(state, rec.decl.restart);
  if (state.loaded) {
    stop_unit(unit_of(rec));
    fold_restarts(id, automatic_restarts(state, rec.decl.restart) + (counts_manual_restart(status) ? 1 : 0));
  }
  launch(rec);  // launch needs the declaration, which folding the counter did not change
  if (!rec.decl.cluster.enabled) return;
  ensure_balancer(rec);
  // One instance at a time: the next one goes down only once this one serves again (or after
  // listen_timeout), so a restart of the whole app keeps serving.
  not_listening({id}, std::chrono::milliseconds(rec.decl.listen_timeout_ms));
}

void Lifecycle::stop(int id) {
  const AppRecord rec = record(id);
  const UnitState state = live(rec);
  if (state.loaded) {
    stop_unit(unit_of(rec));
    fold_restarts(id, automatic_restarts(state, rec.decl.restart));
  }
  if (rec.decl.cluster.enabled) after_stop(rec);
}

void Lifecycle::remove(int id) {
  const AppRecord rec = record(id);
  // Stopped, not folded: the app's counters leave the registry with it.
  if (live(rec).loaded) stop_unit(unit_of(rec));
  if (rec.decl.cluster.shared()) uninstall_unit(unit_of(rec));
  else clear_exec_dropin(unit_of(rec));
  bool last_of_name = true;
  registry_.update([&](RegistryData& d) {
    d.remove(id);
    for (const auto& app : d.apps) last_of_name = last_of_name && app.decl.name != rec.decl.name;
  });
  registry_.remove_instance_files(id);
  if (rec.decl.cluster.enabled) after_remove(rec, last_of_name);
  // The app's slice is transient too; stopping it lets systemd unload it.
  if (last_of_name) manager_.stop(app_slice_name(rec.decl.name));
}

void Lifecycle::flush_logs(const std::vector<int>& ids, std::uint64_t now) {
  registry_.update([&](RegistryData& d) {
    for (int id : ids)
      if (AppRecord* rec = d.find(id)) rec->log_watermark_usec = now;
  });
}

std::size_t Lifecycle::reload_logs(const AppRecord& rec) {
  const std::string unit = unit_of(rec);
  std::string cgroup =
      expected_unit_cgroup(scope_, geteuid(), app_slice_name(rec.decl.name), unit);
  // Where the manager keeps its cgroups elsewhere, the main process tells where the unit's is.
  if (!std::filesystem::exists(cgroup2_root() + cgroup)) {
    const std::uint32_t pid = manager_.query({unit}).at(0).main_pid;
    if (pid == 0) return 0;
    cgroup = process_cgroup(pid);
  }
  return signal_log_writers(cgroup);
}

std::vector<AppView> Lifecycle::views(const std::vector<int>& ids) {
  return views(registry_.load(Registry::Environments::Skip), ids);
}

std::vector<AppView> Lifecycle::views(const RegistryData& data, const std::vector<int>& ids) {
  std::vector<AppView> out;
  std::vector<std::string> units;
  std::vector<std::string> cgroups;
  const uid_t uid = geteuid();
  for (int id : ids) {
    const AppRecord* rec = data.find(id);
    if (!rec) continue;
    AppView view;
    view.record = *rec;
    view.unit = unit_of(*rec);
    units.push_back(view.unit);
    cgroups.push_back(expected_unit_cgroup(scope_, uid, app_slice_name(rec->decl.name), view.unit));
    out.push_back(std::move(view));
  }
  if (units.empty()) return out;
  // The kernel's counters are read while PID 1 answers the property reads: the two are
  // independent, and together they are most of what `pmctl ls` waits for. Once the answers are
  // in, this thread helps with the counters that are left.
  std::vector<Usage> usage(cgroups.size());
  std::atomic<std::size_t> next{0};
  const auto read_usage = [&] {
    for (std::size_t i = next++; i < cgroups.size(); i = next++) usage[i] = usage_of_cgroup(cgroups[i]);
  };
  auto helper = std::async(std::launch::async, read_usage);
  const auto states = manager_.query(units, /*main_pid=*/false);
  read_usage();
  helper.get();
  const std::uint64_t now = now_usec();
  for (std::size_t i = 0; i < out.size(); ++i) fill_view(out[i], states.at(i), usage.at(i), now);
  return out;
}

void Lifecycle::fill_view(AppView& v, const UnitState& state, Usage usage, std::uint64_t now) {
  v.state = state;
  v.status = status_of(v.state, v.record.decl.restart);
  v.restarts = v.record.restarts + automatic_restarts(v.state, v.record.decl.restart);
  if (v.status != Status::Online) return;
  // Where the manager keeps its cgroups elsewhere than usual, ask systemd for the main process
  // and the process where its cgroup is.
  if (!usage.found) {
    v.state.main_pid = manager_.query({v.unit}).at(0).main_pid;
    usage = usage_of_cgroup(process_cgroup(v.state.main_pid));
  }
  // systemd starts the main process first; once online it is the cgroup's oldest process.
  if (v.state.main_pid == 0) v.state.main_pid = usage.oldest_pid;
  v.started_usec = usage.start_usec;
  if (v.started_usec == 0) return;
  const std::uint64_t run_usec = now > v.started_usec ? now - v.started_usec : 0;
  v.uptime_ms = run_usec / 1000;
  if (run_usec > 0) v.cpu_percent = 100.0 * static_cast<double>(usage.cpu_usec) / run_usec;
  v.memory_bytes = usage.memory_bytes;
  v.memory_from_proc = usage.memory_from_proc;
}

}  // namespace pmctl::core
