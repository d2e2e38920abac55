// PM2's resurrect: the dumped apps come back, by name, never twice.
#include <algorithm>
#include <filesystem>
#include <set>

#include "core/state/dump.hpp"
#include "core/types/error.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

bool up(Status s) { return s == Status::Online || s == Status::Launching || s == Status::WaitingRestart; }

/// The dumped apps grouped by name, in the dump's order.
std::vector<std::vector<BootApp>> by_name(const std::vector<BootApp>& apps) {
  std::vector<std::vector<BootApp>> groups;
  for (const auto& app : apps) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.front().record.decl.name == app.record.decl.name; });
    if (it == groups.end()) groups.push_back({app});
    else it->push_back(app);
  }
  return groups;
}

}  // namespace

std::vector<std::string> Lifecycle::resurrect(std::string& source) {
  const auto dump = read_dump(registry_.dir());
  source = dump ? dump->from.string() : "";
  if (!dump) return {};
  const RegistryData data = registry_.load(Registry::Environments::Skip);
  std::set<std::string> running;
  for (const auto& v : views(data, data.ids()))
    if (up(v.status)) running.insert(v.record.decl.name);
  std::vector<std::string> brought;
  std::string failed;
  for (const auto& group : by_name(dump->apps)) {
    const std::string& name = group.front().record.decl.name;
    if (running.contains(name)) continue;
    try {
      resurrect_app(group);
      brought.push_back(name);
    } catch (const std::exception& e) {
      failed += (failed.empty() ? "" : "; ") + name + " (" + e.what() + ")";
    }
  }
  if (!failed.empty())
    throw Error("resurrect could not start " + failed, "the other saved apps run; 'pmctl logs' says why");
  return brought;
}

// One saved app (all its instances): registered stopped copies of it give way; each instance
// keeps its saved id where it is free (and then runs on its saved unit); all or nothing.
void Lifecycle::resurrect_app(const std::vector<BootApp>& group) {
  const std::string name = group.front().record.decl.name;
  for (const auto& rec : registry_.load(Registry::Environments::Skip).apps)
    if (rec.decl.name == name) remove(rec.id);
  std::vector<AppRecord> recs;
  registry_.update([&](RegistryData& d) {
    for (const auto& app : group) {
      AppRecord rec = app.record;
      const bool keeps_id = d.find(rec.id) == nullptr;
      if (!keeps_id) rec.id = d.allocate_id();
      const bool has_unit = !tools().boot_unit_dir.empty() &&
                            fs::exists(fs::path(tools().boot_unit_dir) / service_unit_name(name, rec.id, kSlotSaved));
      rec.slot = keeps_id && has_unit ? kSlotSaved : kSlotA;
      rec.restarts = 0;
      rec.created_at_ms = now_ms();
      d.apps.push_back(rec);
      d.next_id = std::max(d.next_id, rec.id + 1);
      recs.push_back(rec);
    }
  });
  try {
    const AppRecord* first_up = nullptr;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (group[i].stopped) continue;
      write_env(recs[i]);
      launch(recs[i]);
      if (!first_up) first_up = &recs[i];
    }
    if (first_up && first_up->decl.cluster.enabled) ensure_balancer(*first_up);
  } catch (...) {
    for (const auto& rec : recs) {
      try {
        remove(rec.id);
      } catch (const std::exception&) {
      }
    }
    throw;
  }
}

}  // namespace pmctl::core
