#include "core/lifecycle/completion.hpp"

#include "core/model/status.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {

void Completion::mark(const std::vector<int>& ids, const std::string& what) {
  if (ids.empty()) return;
  deps_.registry.update([&](RegistryData& d) {
    for (int id : ids)
      if (AppRecord* rec = d.find(id)) rec->pending = what;
  });
}

void Completion::stop_others(const AppRecord& rec) {
  for (Slot slot : {Slot::A, Slot::B}) {
    if (slot == rec.slot) continue;
    AppRecord other = rec;
    other.slot = slot;
    const std::string unit = unit_of(other);
    if (!deps_.manager.query({unit}).at(0).loaded) continue;
    units_.stop(unit);
    if (rec.decl.cluster.shared()) units_.uninstall_unit_file(unit);
  }
}

bool Completion::complete_app_of(int id) {
  const RegistryData data = deps_.registry.load(Registry::Environments::Skip);
  const AppRecord* rec = data.find(id);
  if (!rec) return false;
  if (completed_.count(rec->decl.name)) return true;
  return marked(data, rec->decl.name) && complete(rec->decl.name);
}

bool Completion::marked(const RegistryData& data, const std::string& name) {
  for (int id : data.ids_named(name))
    if (!data.find(id)->pending.empty()) return true;
  return false;
}

bool Completion::complete(const std::string& name) {
  // The cheap read first: every scale asks, and only a marked app needs the environments.
  if (!marked(deps_.registry.load(Registry::Environments::Skip), name)) return false;
  const RegistryData data = deps_.registry.load();
  std::vector<AppRecord> recs;
  for (int id : data.ids_named(name)) recs.push_back(*data.find(id));
  const bool cluster = recs.front().decl.cluster.enabled;
  // The units first: a balancer must not send connections to an instance that is not there.
  for (const auto& rec : recs) {
    if (cluster) stop_others(rec);
    const UnitState state = launcher_.live(rec);
    if (is_up(status_of(state, rec.decl.restart))) {
      launcher_.write_env(rec);  // a killed reload may have left the replacement's PORT there
      continue;
    }
    if (state.loaded) units_.stop(unit_of(rec));  // a failed unit goes before it starts afresh
    launcher_.launch(rec);
  }
  if (recs.front().decl.cluster.balanced()) {
    balancers_.write_backends(data, name);
    balancers_.ensure(recs.front());
    balancers_.signal(name);
  }
  std::vector<int> ids;
  for (const auto& rec : recs) ids.push_back(rec.id);
  mark(ids, "");
  completed_.insert(name);
  return true;
}

}  // namespace pmctl::core
