#include "cli/recovery_warnings.hpp"

#include <memory>
#include <set>
#include <string>

#include "cli/output.hpp"
#include "core/lifecycle/recovery.hpp"

namespace pmctl::cli {
namespace {

std::string names_of(const std::vector<core::AppRecord>& recs) {
  std::string out;
  for (const auto& rec : recs)
    out += (out.empty() ? "" : ", ") + rec.decl.name + " (id " + std::to_string(rec.id) + ")";
  return out;
}

}  // namespace

core::Registry::Live recovery_sources(const core::Registry& registry,
                                      const std::function<core::Manager&()>& manager) {
  auto warned = std::make_shared<bool>(false);
  const std::string file = (registry.dir() / "registry.json").string();
  auto on_recovered = [warned, file](const std::string& problem, const core::Recovery& r) {
    if (*warned || (problem.empty() && r.apps.empty())) return;
    *warned = true;
    const std::string what = problem.empty() ? "registry '" + file + "' is missing" : problem;
    warn(what + "; showing the " + std::to_string(r.apps.size()) +
         " app(s) found in their pmctl units and record files; run 'pmctl repair' to rebuild it");
  };
  core::Registry::Live live = core::live_sources(registry, manager, on_recovered);
  live.on_orphans = [warned, file](const std::vector<core::AppRecord>& orphans) {
    if (*warned) return;
    *warned = true;
    warn("registry '" + file + "' does not list " + names_of(orphans) +
         ", which pmctl started; showing them too; run 'pmctl repair' to add them back");
  };
  auto told = std::make_shared<std::set<int>>();  // a command may read the registry twice
  live.on_damaged_env = [told](const core::AppRecord& app, const std::string& problem) {
    if (!told->insert(app.id).second) return;
    const std::string id = std::to_string(app.id);
    warn(problem + "; '" + app.decl.name + "' (id " + id +
         ") keeps the environment it last started with; 'pmctl restart " + id +
         " --update-env' gives it yours, 'pmctl delete " + id + "' removes it");
  };
  return live;
}

}  // namespace pmctl::cli
