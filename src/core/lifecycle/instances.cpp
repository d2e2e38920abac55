#include "core/lifecycle/instances.hpp"

#include <chrono>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

/// PM2 counts a manual restart only when the app was online or launching.
bool counts_manual_restart(Status s) { return s == Status::Online || s == Status::Launching; }

}  // namespace

AppRecord Instances::record(int id) const {
  const auto data = deps_.registry.load();
  const AppRecord* rec = data.find(id);
  if (!rec)
    throw Error("no app with id " + std::to_string(id), "see 'pmctl ls' for the registered apps");
  return *rec;
}

void Instances::fold_restarts(const AppRecord& rec, std::uint32_t extra) {
  if (extra == 0 && rec.restarts_hidden == 0) return;
  deps_.registry.update([&](RegistryData& d) {
    if (AppRecord* r = d.find(rec.id)) {
      r->restarts += extra;
      r->restarts_hidden = 0;  // the unit that had them is stopped, or starts afresh
    }
  });
}

std::uint32_t Instances::unfolded(const AppRecord& rec, const UnitState& state) {
  return counted_restarts(state, rec.decl.restart, rec.restarts_hidden);
}

void Instances::start(int id) {
  const AppRecord rec = record(id);
  const UnitState state = launcher_.live(rec);
  if (is_up(status_of(state, rec.decl.restart))) return restart(id);
  if (state.loaded) {
    // errored (or exited with autorestart off): keep the restarts it made, then start afresh.
    units_.stop(unit_of(rec));
  }
  fold_restarts(rec, unfolded(rec, state));
  launcher_.launch(rec);
  if (rec.decl.cluster.balanced()) balancers_.ensure(rec);
}

void Instances::restart(int id) { restart_as(id, record(id).decl); }

void Instances::restart_as(int id, const AppDecl& decl) {
  AppRecord rec = record(id);
  const UnitState state = launcher_.live(rec);
  const Status status = status_of(state, rec.decl.restart);
  const bool drained = state.loaded && drain_for_restart(rec);
  if (state.loaded) {
    units_.stop(unit_of(rec));
  }
  fold_restarts(rec, unfolded(rec, state) + (counts_manual_restart(status) ? 1 : 0));
  if (!(decl == rec.decl)) {
    bool old_name_gone = false;
    deps_.registry.update([&](RegistryData& d) {
      if (AppRecord* r = d.find(id)) r->decl = decl;
      old_name_gone = d.ids_named(rec.decl.name).empty();
    });
    // A rename: the slice of the old name is empty now; stopping it lets systemd unload it. The
    // companions of the old name go; launch makes the new name's.
    if (decl.name != rec.decl.name && old_name_gone) {
      companions_.remove(rec.decl.name);
      deps_.manager.stop(app_slice_name(rec.decl.name));
    }
    rec.decl = decl;
  }
  launcher_.launch(rec);  // launch needs the declaration, which folding the counter did not change
  if (!rec.decl.cluster.balanced()) return;
  if (drained) {  // the same endpoint is back: out of drain
    balancers_.write_backends(deps_.registry.load(Registry::Environments::Skip), rec.decl.name);
    balancers_.signal(rec.decl.name);
  }
  balancers_.ensure(rec);
  // One instance at a time: the next one goes down only once this one serves again (or after
  // listen_timeout), so a restart of the whole app keeps serving.
  launcher_.not_listening({id}, std::chrono::milliseconds(rec.decl.listen_timeout_ms));
}

// As a reload does: the balancer sends the instance no new connection and rehomes the ones it
// closes between two answers, so a restart of the app, one instance at a time, fails no request.
bool Instances::drain_for_restart(const AppRecord& rec) {
  if (!rec.decl.cluster.balanced() || rec.decl.cluster.shared() || rec.endpoint.empty())
    return false;
  RegistryData others = deps_.registry.load(Registry::Environments::Skip);
  others.remove(rec.id);
  balancers_.drain(others, rec.decl.name, {rec.endpoint});
  return true;
}

void Instances::stop(int id) {
  const AppRecord rec = record(id);
  if (!rec.pending.empty() && rec.decl.cluster.enabled) completion_.stop_others(rec);
  const UnitState state = launcher_.live(rec);
  if (state.loaded) {
    units_.stop(unit_of(rec));
  }
  fold_restarts(rec, unfolded(rec, state));
  if (!rec.boot_id.empty())  // stopped on purpose: no reboot is to blame for it (AppRecord)
    deps_.registry.update([&](RegistryData& d) {
      if (AppRecord* r = d.find(id)) r->boot_id.clear();
    });
  if (!rec.decl.cluster.balanced() && !companions_.any_stop_with(rec.decl)) return;
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  if (views_.any_up(data, data.ids_named(rec.decl.name))) return;
  companions_.app_stopped(rec.decl);
  if (rec.decl.cluster.balanced()) balancers_.stop(rec.decl.name);
}

void Instances::remove(int id) {
  const AppRecord rec = record(id);
  const std::string unit = unit_of(rec);
  if (!rec.pending.empty() && rec.decl.cluster.enabled) completion_.stop_others(rec);
  // Stopped, not folded: the app's counters leave the registry with it.
  if (launcher_.live(rec).loaded)
    units_.stop(unit);  // which forgets its runtime files too
  else if (!rec.decl.cluster.shared())
    units_.forget(unit);  // gone by itself: what it left in the runtime dirs goes now
  if (rec.decl.cluster.shared()) units_.uninstall_unit_file(unit);
  bool last_of_name = true;
  const RegistryData after = deps_.registry.update([&](RegistryData& d) {
    d.remove(id);
    last_of_name = d.ids_named(rec.decl.name).empty();
  });
  deps_.registry.remove_instance_files(id);
  if (rec.decl.cluster.balanced()) {
    if (last_of_name) {
      balancers_.remove(rec.decl.name);
    } else {
      balancers_.write_backends(after, rec.decl.name);
      balancers_.signal(rec.decl.name);
    }
  }
  // The app's slice is transient too; stopping it lets systemd unload it.
  if (!last_of_name) return;
  companions_.remove(rec.decl.name);
  deps_.manager.stop(app_slice_name(rec.decl.name));
}

void Instances::reset(int id) {
  const AppRecord rec = record(id);
  const UnitState state = launcher_.live(rec);
  std::uint32_t hidden = 0;
  if (state.active_state == "failed")
    hidden = automatic_restarts(state, rec.decl.restart);
  else if (state.loaded)
    deps_.manager.reset_failed(unit_of(rec));
  deps_.registry.update([&](RegistryData& d) {
    if (AppRecord* r = d.find(id)) {
      r->restarts = 0;
      r->restarts_hidden = hidden;
      r->created_at_ms = realtime_ms();
    }
  });
}

void Instances::signal(int id, int signal) {
  const AppRecord rec = record(id);
  if (launcher_.live(rec).main_pid == 0)
    throw Error("'" + rec.decl.name + "' (id " + std::to_string(id) + ") is not running: no " +
                    signal_name(signal) + " sent",
                "'pmctl start " + std::to_string(id) + "' starts it");
  deps_.manager.kill(unit_of(rec), signal);
}

}  // namespace pmctl::core
