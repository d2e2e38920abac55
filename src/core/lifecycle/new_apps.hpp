#pragma once
// Apps coming in: a new fork app or cluster app registered and started (all or nothing), and
// registered apps given a new declaration.

#include <string>
#include <vector>

#include "core/fields/app_fields.hpp"
#include "core/lifecycle/balancers.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/instances.hpp"
#include "core/lifecycle/launcher.hpp"
#include "core/lifecycle/rollout.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/lifecycle/views.hpp"

namespace pmctl::core {

/// What applying an ecosystem file did: per app (in the file's order) its name and what happened
/// to it ("started", "restarted", "reloaded", "scaled 2->3, reloaded", ...), and warnings.
struct Applied {
  std::vector<std::pair<std::string, std::string>> apps;
  std::vector<std::string> warnings;
};

class NewApps {
 public:
  NewApps(Deps& deps, RuntimeUnits& units, Balancers& balancers, Launcher& launcher,
          Instances& instances, Views& views, Rollout& rollout, Completion& completion)
      : deps_(deps),
        units_(units),
        balancers_(balancers),
        launcher_(launcher),
        instances_(instances),
        views_(views),
        rollout_(rollout),
        completion_(completion) {}

  /// Registers and starts a new fork app; returns its id. A running app of the same name is an
  /// error unless `force`; a stopped one is started again instead (PM2's smart start). With
  /// `decl.autostart` off the app is only registered, and stays stopped.
  int start_fork(const AppDecl& decl, bool force);
  /// Registers and starts a cluster app: one record and unit per instance, each with its own
  /// private endpoint, and the balancer. All or nothing. Returns the instances' ids.
  std::vector<int> start_cluster(const AppDecl& decl);
  /// Gives the registered instances of app `name` (instances, or a fork app that becomes a pool)
  /// a new declaration, scales them to its number of instances (PM2: clones of the first, the
  /// lowest pm_ids go) and starts or restarts the rest (`reload`: reloads them); the balancer is
  /// re-created if its settings changed. A switch between fork mode, a pool and instances behind
  /// a port is refused with what to do. Returns what happened, e.g. "scaled 2->3, reloaded".
  std::string redeclare_cluster(const std::string& name, const AppDecl& decl, bool reload);
  /// Applies an ecosystem file's apps (PM2's start/startOrReload of a file): registered apps get
  /// the file's declaration (PM2: file actions always refresh the environment) and restart
  /// (`reload`: cluster apps reload, start before stop); the others are registered and started.
  /// All or nothing for what it registers: a failure removes the apps this call registered,
  /// then throws. Returns what happened to each app, and warnings (cluster instances not yet
  /// accepting connections).
  Applied apply(const std::vector<ConvertedApp>& apps, bool force, bool reload);

 private:
  void check_public_port(const AppDecl& decl);
  void forget(const std::vector<AppRecord>& recs);
  std::string apply_cluster(const AppDecl& decl, const std::vector<int>& registered,
                            std::vector<int>& created, bool reload,
                            std::vector<std::string>& warnings);
  void check_mode_switch(const std::string& name, const AppDecl& old, const AppDecl& decl);

  Deps& deps_;
  RuntimeUnits& units_;
  Balancers& balancers_;
  Launcher& launcher_;
  Instances& instances_;
  Views& views_;
  Rollout& rollout_;
  Completion& completion_;
};

}  // namespace pmctl::core
