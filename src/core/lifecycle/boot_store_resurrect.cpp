// PM2's resurrect: the dumped apps come back, by name, never twice.
#include <algorithm>
#include <filesystem>
#include <set>

#include "core/base/clock.hpp"
#include "core/base/on_failure.hpp"
#include "core/lifecycle/boot_store.hpp"
#include "core/state/dump.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

/// The dumped apps grouped by name, in the dump's order.
std::vector<std::vector<BootApp>> by_name(const std::vector<BootApp>& apps) {
  std::vector<std::vector<BootApp>> groups;
  for (const auto& app : apps) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return g.front().record.decl.name == app.record.decl.name;
    });
    if (it == groups.end())
      groups.push_back({app});
    else
      it->push_back(app);
  }
  return groups;
}

}  // namespace

std::vector<std::string> BootStore::resurrect(std::string& source) {
  const auto dump = read_dump(deps_.registry.dir());
  source = dump ? dump->from.string() : "";
  if (!dump) return {};
  const RegistryData data = deps_.registry.load(Registry::Environments::Skip);
  std::set<std::string> running;
  for (const auto& v : views_.of(data, data.ids()))
    if (is_up(v.status)) running.insert(v.record.decl.name);
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
    throw Error("resurrect could not start " + failed,
                "the other saved apps run; 'pmctl logs' says why");
  return brought;
}

// One saved app (all its instances): registered stopped copies of it give way; each instance
// keeps its saved id where it is free (and then runs on its saved unit); all or nothing.
void BootStore::resurrect_app(const std::vector<BootApp>& group) {
  const std::string name = group.front().record.decl.name;
  for (int id : deps_.registry.load(Registry::Environments::Skip).ids_named(name))
    instances_.remove(id);
  const std::string& boot_dir = deps_.tools().boot_unit_dir;
  std::vector<AppRecord> recs;
  deps_.registry.update([&](RegistryData& d) {
    for (const auto& app : group) {
      AppRecord rec = app.record;
      const bool keeps_id = d.find(rec.id) == nullptr;
      if (!keeps_id) rec.id = d.allocate_id();
      const bool has_unit =
          !boot_dir.empty() &&
          fs::exists(fs::path(boot_dir) / service_unit_name(name, rec.id, Slot::Saved));
      rec.slot = keeps_id && has_unit ? Slot::Saved : Slot::A;
      rec.restarts = 0;
      rec.restarts_hidden = 0;
      rec.created_at_ms = realtime_ms();
      d.apps.push_back(rec);
      d.next_id = std::max(d.next_id, rec.id + 1);
      recs.push_back(rec);
    }
  });
  const OnFailure undo([&] {
    for (const auto& rec : recs) quietly([&] { instances_.remove(rec.id); });
  });
  const AppRecord* first_up = nullptr;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (group[i].stopped) continue;
    launcher_.write_env(recs[i]);
    launcher_.launch(recs[i]);
    if (!first_up) first_up = &recs[i];
  }
  if (first_up && first_up->decl.cluster.balanced()) balancers_.ensure(*first_up);
}

}  // namespace pmctl::core
