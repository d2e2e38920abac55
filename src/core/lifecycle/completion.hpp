#pragma once
// What a command killed half-way left: a command that changes several units of a cluster app
// (start -i N, reload, scale) first marks the instances it works on (AppRecord::pending) and
// clears the marks once every unit is as the registry says. A mark found while no command runs
// means that command was killed: `ls` shows the app as incomplete, and the next start, restart
// or reload of the app completes it first (docs/reliability.md, "A pmctl killed mid-way").

#include <set>
#include <string>
#include <vector>

#include "core/lifecycle/balancers.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/launcher.hpp"
#include "core/lifecycle/runtime_units.hpp"

namespace pmctl::core {

class Completion {
 public:
  Completion(Deps& deps, RuntimeUnits& units, Balancers& balancers, Launcher& launcher)
      : deps_(deps), units_(units), balancers_(balancers), launcher_(launcher) {}

  /// Whether an instance of app `name` carries a mark.
  static bool marked(const RegistryData& data, const std::string& name);
  /// Marks the instances `ids` with `what` ("start", "reload", "scale"), or clears them ("").
  void mark(const std::vector<int>& ids, const std::string& what);
  /// When app `name` carries marks: stops the units of its instances that are not current (a
  /// reload's other slot), starts every instance that is not up, rewrites and reloads the
  /// balancer's backends, starts the balancer, then clears the marks. Whether it had marks.
  bool complete(const std::string& name);
  /// complete() for the app of instance `id`, once per command: whether this command completed
  /// it (its instances need nothing more from it). No app with `id`: false.
  bool complete_app_of(int id);
  /// Stops the units of `rec` other than its current one (a killed reload's leftovers).
  void stop_others(const AppRecord& rec);

 private:
  Deps& deps_;
  RuntimeUnits& units_;
  Balancers& balancers_;
  Launcher& launcher_;
  std::set<std::string> completed_;
};

}  // namespace pmctl::core
