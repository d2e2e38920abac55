#pragma once
// max_memory_restart's guards (units/memguard_units.hpp) as the verbs drive them: running while
// an app with a limit has instances, stopped with the app's last one, gone with the app.

#include <string>
#include <vector>

#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/model/app.hpp"
#include "core/units/memguard_units.hpp"

namespace pmctl::core {

/// The guard of one app as `show` tells it.
struct MemoryGuardView {
  std::string unit;
  bool running = false;
  std::uint64_t limit_bytes = 0;
  std::uint64_t kernel_cap_bytes = 0;
  /// The instances' cgroups have a memory controller: the guard reads memory.stat and the
  /// kernel's cap (MemoryMax=) holds; else the guard reads /proc and nothing caps the app.
  bool memory_controller = false;
};

/// The guard's programs and manager as this command sees them (the real path of this pmctl).
MemguardPlan memguard_plan(Deps& deps);

class MemoryGuards {
 public:
  MemoryGuards(Deps& deps, RuntimeUnits& units) : deps_(deps), units_(units) {}

  /// Makes the guard of `decl`'s app match it: running with its limit and action while it has a
  /// max_memory_restart, else stopped. A guard already running as it should, the transient one
  /// or, after a boot, the saved one, is left alone (the restarts it asks for come through
  /// here); otherwise the saved one is put on standby and the transient one started.
  void ensure(const AppDecl& decl);
  /// Stops the guards of app `name`, transient and saved (its last instance stopped, or it is
  /// gone).
  void stop(const std::string& name);
  MemoryGuardView view(const AppDecl& decl);
  /// Whether the guard `pmctl save` wrote runs (after a boot, until pmctl replaced it).
  bool saved_running(const std::string& name);
  /// Whether this manager's apps have a memory controller (the kernel cap holds).
  bool memory_controller();

 private:
  /// Whether `unit` runs with `argv`.
  bool runs_as(const std::string& unit, const std::vector<std::string>& argv);
  void stop_saved(const std::string& name);

  Deps& deps_;
  RuntimeUnits& units_;
};

}  // namespace pmctl::core
