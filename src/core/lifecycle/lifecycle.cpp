#include "core/lifecycle/lifecycle.hpp"

#include <unistd.h>

#include <filesystem>

#include "core/base/resources.hpp"
#include "core/state/log_files.hpp"
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
