#include "core/lifecycle/lifecycle.hpp"

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "core/base/resources.hpp"
#include "core/base/signals.hpp"
#include "core/state/log_files.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {

Lifecycle::Lifecycle(Registry& registry, Manager& manager, Scope scope, Tools tools)
    : deps_(registry, manager, scope, [tools = std::move(tools)] { return tools; }) {}

Lifecycle::Lifecycle(Registry& registry, Manager& manager, Scope scope,
                     std::function<Tools()> find_tools)
    : deps_(registry, manager, scope, std::move(find_tools)) {}

void Lifecycle::update_env(const std::vector<int>& ids,
                           const std::map<std::string, std::string>& env) {
  deps_.registry.update([&](RegistryData& data) {
    for (int id : ids)
      if (AppRecord* rec = data.find(id))
        for (const auto& [key, value] : env)
          rec->decl.env[key] = key == "PWD" ? rec->decl.cwd : value;
  });
}

std::vector<int> Lifecycle::send_signal(const std::vector<int>& ids, int signal) {
  std::vector<int> running;
  const auto views = views_.of(ids);
  for (const auto& v : views)
    if (v.status == Status::Online || v.status == Status::Launching) running.push_back(v.record.id);
  if (running.empty() && !views.empty()) {
    const AppRecord& first = views.front().record;
    const std::string what =
        views.size() == 1
            ? "'" + first.decl.name + "' (id " + std::to_string(first.id) + ") is not running"
            : "none of the " + std::to_string(views.size()) + " instances of '" + first.decl.name +
                  "' is running";
    throw Error(what + ": no " + signal_name(signal) + " sent",
                "'pmctl start " + first.decl.name + "' starts it");
  }
  for (std::size_t i = 0; i < running.size(); ++i) {
    if (i > 0) std::this_thread::sleep_for(kSignalGap);
    instances_.signal(running[i], signal);
  }
  return running;
}

void Lifecycle::check_redeclare(const std::map<int, AppDecl>& decls) const {
  const auto data = deps_.registry.load(Registry::Environments::Skip);
  for (const auto& [id, decl] : decls) {
    const AppRecord* rec = data.find(id);
    if (!rec) throw Error("no app with id " + std::to_string(id), "see 'pmctl ls'");
    const AppDecl& old = rec->decl;
    if (!(decl.cluster == old.cluster))
      throw Error("'" + old.name + "' keeps its instances and port on a restart",
                  "change the instance count with 'pmctl scale " + old.name + " N'", 2);
    if (decl.name == old.name) continue;
    if (old.cluster.balanced())
      throw Error("'" + old.name + "' cannot be renamed: it runs behind port " +
                      std::to_string(old.cluster.public_port) +
                      ", and its balancer and socket units are named after it",
                  "delete it and start it again under the new name", 2);
    for (const auto& [other_id, other] : decls)
      if (other.name == decl.name && data.find(other_id)->decl.name != old.name)
        throw Error("'" + old.name + "' and '" + data.find(other_id)->decl.name +
                        "' cannot both be named '" + decl.name + "'",
                    "rename one app at a time", 2);
    for (int other : data.ids_named(decl.name))
      if (!decls.count(other))
        throw Error(
            "an app named '" + decl.name + "' exists already (id " + std::to_string(other) + ")",
            "pick another name, or delete that app first", 2);
    for (int sibling : data.ids_named(old.name)) {
      const auto it = decls.find(sibling);
      if (it == decls.end() || it->second.name != decl.name)
        throw Error("'" + old.name + "' has " + std::to_string(data.ids_named(old.name).size()) +
                        " instances: rename them all at once",
                    "pmctl restart " + old.name + " --name " + decl.name, 2);
    }
  }
}

void Lifecycle::redeclare(const std::map<int, AppDecl>& decls) {
  check_redeclare(decls);
  deps_.registry.update([&](RegistryData& data) {
    for (const auto& [id, decl] : decls)
      if (AppRecord* rec = data.find(id); rec && rec->decl.name == decl.name) rec->decl = decl;
  });
}

void Lifecycle::flush_logs(const std::vector<int>& ids, std::uint64_t realtime_usec) {
  deps_.registry.update([&](RegistryData& d) {
    for (int id : ids)
      if (AppRecord* rec = d.find(id)) rec->log_watermark_usec = realtime_usec;
  });
}

std::size_t Lifecycle::reload_logs(const AppRecord& rec) {
  const std::string unit = unit_of(rec);
  std::string cgroup =
      expected_unit_cgroup(deps_.scope, geteuid(), app_slice_name(rec.decl.name), unit);
  // Where the manager keeps its cgroups elsewhere, the main process tells where the unit's is.
  if (!std::filesystem::exists(cgroup2_root() + cgroup)) {
    const std::uint32_t pid = deps_.manager.query({unit}).at(0).main_pid;
    if (pid == 0) return 0;
    cgroup = process_cgroup(pid);
  }
  return signal_log_writers(cgroup);
}

}  // namespace pmctl::core
