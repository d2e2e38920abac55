#pragma once
// One instance into a unit: its environment file, its unit's properties (units/mapping.hpp),
// and the unit it runs on: a transient unit, shared mode's unit file, or the unit `pmctl save`
// wrote while the declaration is the saved one. And whether it is ready.

#include <chrono>
#include <string>
#include <vector>

#include "core/lifecycle/balancers.hpp"
#include "core/lifecycle/companions.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/model/app_record.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::core {

class Launcher {
 public:
  Launcher(Deps& deps, RuntimeUnits& units, Balancers& balancers, Companions& companions)
      : deps_(deps), units_(units), balancers_(balancers), companions_(companions) {}

  /// The instance's unit as systemd has it now.
  UnitState live(const AppRecord& rec);
  InstanceContext context_of(const AppRecord& rec);
  /// The instance's environment file: its declaration's env plus what pmctl sets per instance.
  void write_env(const AppRecord& rec);
  /// Starts the instance's unit (it must not be running), then makes the app's companion units
  /// match its declaration (companions.hpp).
  void launch(const AppRecord& rec);
  /// Removes the companions of app `name` (a failed start takes back what launch made).
  void remove_companions(const std::string& name) { companions_.remove(name); }
  /// A started cluster instance is ready: READY=1 with wait_ready (the start job waited for it),
  /// else its endpoint accepts a connection within listen_timeout; shared mode: still running
  /// kSettle after it started.
  bool wait_ready(const AppRecord& rec);
  /// The endpoints of `ids` that did not accept a connection within `timeout`.
  std::vector<std::string> not_listening(const std::vector<int>& ids,
                                         std::chrono::milliseconds timeout);

 private:
  void launch_instance(const AppRecord& rec);
  bool launch_saved(const AppRecord& rec);
  AppRecord move_off_saved(const AppRecord& rec);

  Deps& deps_;
  RuntimeUnits& units_;
  Balancers& balancers_;
  Companions& companions_;
};

}  // namespace pmctl::core
