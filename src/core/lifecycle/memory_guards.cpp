#include "core/lifecycle/memory_guards.hpp"

#include <unistd.h>

#include <filesystem>

#include "core/base/resources.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::core {
namespace {

/// The cgroup of this manager's units: the root, or the user manager's own.
std::string manager_cgroup(Scope scope) {
  if (scope == Scope::System) return "";
  const std::string uid = std::to_string(getuid());
  return "/user.slice/user-" + uid + ".slice/user@" + uid + ".service";
}

}  // namespace

MemguardPlan memguard_plan(Deps& deps) {
  MemguardPlan p;
  p.memguard = deps.tools().memguard;
  // The guard runs this pmctl again to restart an app: its real path, not /proc/self/exe.
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  p.pmctl = deps.tools().pmctl == "/proc/self/exe" && !ec ? self.string() : deps.tools().pmctl;
  p.scope = deps.scope;
  return p;
}

bool MemoryGuards::runs_as(const std::string& unit, const std::vector<std::string>& argv) {
  const auto states = deps_.manager.query({unit}, false);
  if (states.empty() || states.front().active_state != "active") return false;
  return deps_.manager.unit_command(unit).argv == argv;
}

void MemoryGuards::ensure(const AppDecl& decl) {
  if (decl.max_memory_bytes == 0) return stop(decl.name);
  MemguardPlan plan = memguard_plan(deps_);
  const UnitSpec spec = memguard_unit(decl, plan);
  const auto argv_of = [](const UnitSpec& s) {
    return std::get<std::vector<ExecCommand>>(*s.find("ExecStartEx")).front().argv;
  };
  if (runs_as(spec.name, argv_of(spec))) return;
  plan.saved = true;
  const UnitSpec saved = memguard_unit(decl, plan);
  if (runs_as(saved.name, argv_of(saved))) return;
  stop_saved(decl.name);
  units_.start_transient_afresh(spec);
}

void MemoryGuards::stop(const std::string& name) {
  const std::string unit = memguard_unit_name(name);
  const auto states = deps_.manager.query({unit}, false);
  if (!states.empty() && states.front().loaded) units_.stop(unit);
  stop_saved(name);
}

void MemoryGuards::stop_saved(const std::string& name) {
  const std::string unit = saved_memguard_unit_name(name);
  const auto states = deps_.manager.query({unit}, false);
  if (!states.empty() && states.front().loaded) units_.stop(unit);  // and puts it on standby
}

bool MemoryGuards::saved_running(const std::string& name) {
  const auto states = deps_.manager.query({saved_memguard_unit_name(name)}, false);
  return !states.empty() && states.front().active_state == "active";
}

bool MemoryGuards::memory_controller() {
  return memory_controller_available(manager_cgroup(deps_.scope));
}

MemoryGuardView MemoryGuards::view(const AppDecl& decl) {
  MemoryGuardView v;
  v.unit = memguard_unit_name(decl.name);
  v.limit_bytes = decl.max_memory_bytes;
  v.kernel_cap_bytes = kernel_memory_cap(decl.max_memory_bytes);
  const auto states = deps_.manager.query({v.unit}, false);
  v.running = !states.empty() && states.front().active_state == "active";
  if (!v.running && saved_running(decl.name)) {
    v.unit = saved_memguard_unit_name(decl.name);
    v.running = true;
  }
  v.memory_controller = memory_controller();
  return v;
}

}  // namespace pmctl::core
