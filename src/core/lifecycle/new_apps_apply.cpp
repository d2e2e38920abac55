// An ecosystem file applied: every app of the file started or given its new declaration.
#include <chrono>

#include "core/base/on_failure.hpp"
#include "core/lifecycle/new_apps.hpp"

namespace pmctl::core {

// Waits for the instances as `start -i` does.
void NewApps::apply_cluster(const AppDecl& decl, const std::vector<int>& registered,
                            std::vector<int>& created, bool reload,
                            std::vector<std::string>& warnings) {
  std::vector<int> ids = registered;
  if (registered.empty()) {
    ids = start_cluster(decl);
    created.insert(created.end(), ids.begin(), ids.end());
  } else {
    redeclare_cluster(decl.name, decl, reload);
  }
  if (!decl.autostart) return;
  for (const auto& endpoint :
       launcher_.not_listening(ids, std::chrono::milliseconds(decl.listen_timeout_ms)))
    warnings.push_back("an instance of '" + decl.name + "' does not accept connections on " +
                       endpoint + " yet (it must listen on $PORT)");
}

std::vector<std::string> NewApps::apply(const std::vector<ConvertedApp>& apps, bool force,
                                        bool reload) {
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  std::vector<int> created;
  std::vector<std::string> warnings;
  const OnFailure undo([&] {
    for (int id : created) quietly([&] { instances_.remove(id); });
  });
  for (const auto& app : apps) {
    const auto ids = data.ids_named(app.decl.name);
    const bool registered_cluster = !ids.empty() && data.find(ids.front())->decl.cluster.enabled;
    if (app.decl.cluster.enabled || registered_cluster) {
      apply_cluster(app.decl, ids, created, reload, warnings);
      continue;
    }
    if (ids.empty() || force || app.force) {
      created.push_back(start_fork(app.decl, true));
      continue;
    }
    deps_.registry.update([&](RegistryData& d) {
      for (int id : ids) d.at(id).decl = app.decl;
    });
    for (int id : ids) instances_.start(id);
  }
  return warnings;
}

}  // namespace pmctl::core
