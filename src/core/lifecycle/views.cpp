#include "core/lifecycle/views.hpp"

#include <unistd.h>

#include <atomic>
#include <future>

#include "core/base/clock.hpp"
#include "core/state/command_lock.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {

std::vector<AppView> Views::of(const std::vector<int>& ids) {
  return of(deps_.registry.load(Registry::Environments::Skip), ids);
}

bool Views::any_up(const RegistryData& data, const std::vector<int>& ids) {
  for (const auto& view : of(data, ids))
    if (is_up(view.status)) return true;
  return false;
}

std::vector<AppView> Views::of(const RegistryData& data, const std::vector<int>& ids) {
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
    cgroups.push_back(
        expected_unit_cgroup(deps_.scope, uid, app_slice_name(rec->decl.name), view.unit));
    out.push_back(std::move(view));
  }
  if (units.empty()) return out;
  mark_incomplete(out);
  // The kernel's counters are read while PID 1 answers the property reads: the two are
  // independent, and together they are most of what `pmctl ls` waits for. Once the answers are
  // in, this thread helps with the counters that are left.
  std::vector<Usage> usage(cgroups.size());
  std::atomic<std::size_t> next{0};
  const auto read_usage = [&] {
    for (std::size_t i = next++; i < cgroups.size(); i = next++)
      usage[i] = usage_of_cgroup(cgroups[i]);
  };
  auto helper = std::async(std::launch::async, read_usage);
  const auto states = deps_.manager.query(units, /*main_pid=*/false);
  read_usage();
  helper.get();
  const std::uint64_t now = realtime_usec();
  for (std::size_t i = 0; i < out.size(); ++i) fill(out[i], states.at(i), usage.at(i), now);
  return out;
}

// Only when a record carries a mark does this look at the command lock.
void Views::mark_incomplete(std::vector<AppView>& views) {
  bool marked = false;
  for (const auto& v : views) marked = marked || !v.record.pending.empty();
  if (!marked || CommandLock::held_elsewhere(deps_.registry.dir())) return;
  for (auto& v : views) v.incomplete = !v.record.pending.empty();
}

void Views::fill(AppView& v, const UnitState& state, Usage usage, std::uint64_t now) {
  v.state = state;
  v.status = status_of(v.state, v.record.decl.restart);
  v.restarts = v.record.restarts +
               counted_restarts(v.state, v.record.decl.restart, v.record.restarts_hidden);
  if (v.status != Status::Online) return;
  // Where the manager keeps its cgroups elsewhere than usual, ask systemd for the main process
  // and the process where its cgroup is.
  if (!usage.found) {
    v.state.main_pid = deps_.manager.query({v.unit}).at(0).main_pid;
    usage = usage_of_cgroup(process_cgroup(v.state.main_pid));
  }
  // systemd starts the main process first; once online it is the cgroup's oldest process.
  if (v.state.main_pid == 0) v.state.main_pid = usage.oldest_pid;
  v.started_usec = usage.start_usec;
  if (v.started_usec == 0) return;
  const std::uint64_t run_usec = now > v.started_usec ? now - v.started_usec : 0;
  v.uptime_ms = run_usec / 1000;
  v.cpu_usec = usage.cpu_usec;
  if (run_usec > 0) v.cpu_percent = 100.0 * static_cast<double>(usage.cpu_usec) / run_usec;
  v.memory_bytes = usage.memory_bytes;
  v.memory_from_proc = usage.memory_from_proc;
}

}  // namespace pmctl::core
