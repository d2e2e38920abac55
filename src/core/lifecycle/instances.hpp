#pragma once
// PM2's verbs on one registered instance: start, restart, stop, delete. A cluster instance's
// verbs keep its app's balancer in step (balancers.hpp).

#include <cstdint>

#include "core/lifecycle/balancers.hpp"
#include "core/lifecycle/completion.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/launcher.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/lifecycle/views.hpp"

namespace pmctl::core {

class Instances {
 public:
  Instances(Deps& deps, RuntimeUnits& units, Balancers& balancers, Launcher& launcher, Views& views,
            Completion& completion, Companions& companions)
      : deps_(deps),
        units_(units),
        balancers_(balancers),
        launcher_(launcher),
        views_(views),
        completion_(completion),
        companions_(companions) {}

  /// The registered instance; core::Error when there is none.
  AppRecord record(int id) const;
  /// Starts a registered instance that is not running; restarts it if it is (PM2's smart start).
  /// A cluster instance's start and restart also make sure the balancer runs, and restart returns
  /// once the instance accepts connections again (at most listen_timeout).
  void start(int id);
  void restart(int id);
  /// Restarts it under `decl` (PM2's options on restart): its unit stops under the old
  /// declaration, the registry takes the new one, the new unit starts. A rename goes this way.
  void restart_as(int id, const AppDecl& decl);
  /// Stops it; the balancer stops with the app's last running instance, and so do the app's
  /// companions that do not stay with a stopped app (the cron timer stays, as in PM2).
  void stop(int id);
  /// Stops it and forgets it; the balancer and the companions go with the app's last instance,
  /// else the instance leaves its backend file.
  void remove(int id);
  /// PM2's reset: ↺ back to 0, created_at now. A loaded unit that has not failed gets
  /// ResetFailedUnit, which zeroes systemd's NRestarts and its start limiter (PM2's
  /// unstable_restarts); a failed one keeps its state, and its count is hidden instead
  /// (AppRecord::restarts_hidden).
  void reset(int id);
  /// PM2's sendSignal: `signal` to the instance's main process (KillUnit "main", as PM2's
  /// process.kill(pid)); core::Error when it has none.
  void signal(int id, int signal);

 private:
  /// Adds `extra` to the registry's count and clears what a reset hid: before the unit stops
  /// or starts again.
  void fold_restarts(const AppRecord& rec, std::uint32_t extra);
  /// Takes a running instance of a balanced cluster app out of its balancer before a restart
  /// (Balancers::drain); false for any other app.
  bool drain_for_restart(const AppRecord& rec);
  /// The unit's automatic restarts that the registry does not count yet.
  static std::uint32_t unfolded(const AppRecord& rec, const UnitState& state);

  Deps& deps_;
  RuntimeUnits& units_;
  Balancers& balancers_;
  Launcher& launcher_;
  Views& views_;
  Completion& completion_;
  Companions& companions_;
};

}  // namespace pmctl::core
