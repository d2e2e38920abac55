// An ecosystem file applied: every app of the file started or given its new declaration.
#include <chrono>

#include "core/base/on_failure.hpp"
#include "core/lifecycle/new_apps.hpp"

namespace pmctl::core {

namespace {

const char* started_word(bool autostart) {
  return autostart ? "started" : "registered, not started (autostart false)";
}

}  // namespace

// Waits for the instances as `start -i` does.
std::string NewApps::apply_cluster(const AppDecl& decl, const std::vector<int>& registered,
                                   std::vector<int>& created, bool reload,
                                   std::vector<std::string>& warnings) {
  std::string what;
  std::vector<int> ids;
  if (registered.empty()) {
    ids = start_cluster(decl);
    created.insert(created.end(), ids.begin(), ids.end());
    what = started_word(decl.autostart);
  } else {
    what = redeclare_cluster(decl.name, decl, reload);
    if (decl.autostart)  // a scale may have added or removed instances
      ids = deps_.registry.load(Registry::Environments::Skip).ids_named(decl.name);
  }
  if (!decl.autostart) return what;
  for (const auto& endpoint :
       launcher_.not_listening(ids, std::chrono::milliseconds(decl.listen_timeout_ms)))
    warnings.push_back("an instance of '" + decl.name + "' does not accept connections on " +
                       endpoint + " yet (it must listen on $PORT)");
  return what;
}

Applied NewApps::apply(const std::vector<ConvertedApp>& apps, bool force, bool reload) {
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  std::vector<int> created;
  Applied out;
  const OnFailure undo([&] {
    for (int id : created) quietly([&] { instances_.remove(id); });
  });
  for (const auto& app : apps) {
    const auto ids = data.ids_named(app.decl.name);
    const bool registered_cluster = !ids.empty() && data.find(ids.front())->decl.cluster.enabled;
    const std::string& name = app.decl.name;
    if (app.decl.cluster.enabled || registered_cluster) {
      out.apps.emplace_back(name, apply_cluster(app.decl, ids, created, reload, out.warnings));
      continue;
    }
    if (ids.empty() || force || app.force) {
      created.push_back(start_fork(app.decl, true));
      out.apps.emplace_back(name, started_word(app.decl.autostart));
      continue;
    }
    const bool was_up = views_.any_up(data, ids);
    deps_.registry.update([&](RegistryData& d) {
      for (int id : ids) d.at(id).decl = app.decl;
    });
    for (int id : ids) instances_.start(id);  // PM2: a fork app restarts, even on reload
    out.apps.emplace_back(name, was_up ? "restarted" : "started");
  }
  return out;
}

}  // namespace pmctl::core
