#pragma once
// PM2's reload and scale of an app's instances, zero-downtime: replacements and new instances
// start beside the old ones and join the balancer (if any) once ready; old and removed ones are
// drained first, then stopped; a pool's reload never has fewer instances running than it had. One
// rollout of an app at a time: the app's reload lock is held until this process ends.

#include <string>
#include <utility>
#include <vector>

#include "core/lifecycle/balancers.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/instances.hpp"
#include "core/lifecycle/launcher.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/types/unique_fd.hpp"

namespace pmctl::core {

/// Reload locks this process holds (flock descriptors), released when it goes.
class HeldLocks {
 public:
  bool holds(const std::string& key) const;
  void add(const std::string& key, UniqueFd fd);

 private:
  std::vector<std::pair<std::string, UniqueFd>> fds_;
};

class Rollout {
 public:
  Rollout(Deps& deps, RuntimeUnits& units, Balancers& balancers, Launcher& launcher,
          Instances& instances, Completion& completion)
      : deps_(deps),
        units_(units),
        balancers_(balancers),
        launcher_(launcher),
        instances_(instances),
        completion_(completion) {}

  /// PM2's reload of a batch of instances (reload_batches): a fork app restarts, a stopped
  /// instance starts; every replacement of the others starts under the instance's other unit
  /// name on a new private endpoint, each gets ready (Launcher::wait_ready), then all old ones
  /// are drained and stopped together; the pm_ids stay. If one replacement fails, all of the
  /// batch's are removed, the old instances keep serving, and core::Error says why.
  void reload(const std::vector<int>& ids);
  /// PM2's scale of app `name` to `target` instances (a fork app becomes a pool). New instances
  /// clone the first one's declaration, take the lowest free instance numbers and join the
  /// balancer (if any) once ready; removed ones (lowest pm_ids first) are drained, stopped and
  /// deleted. Returns the ids added or removed.
  std::vector<int> scale(const std::string& name, int target);

 private:
  void lock(const std::string& name);
  std::vector<AppRecord> replacements_of(const std::vector<AppRecord>& recs);
  void start_replacements(const std::vector<AppRecord>& recs, const std::vector<AppRecord>& next);
  void switch_to(const std::vector<AppRecord>& recs, const std::vector<AppRecord>& next);
  AppRecord make_pool(const std::string& name, const std::vector<int>& ids);
  std::vector<int> scale_up(const AppRecord& first, int count);
  std::vector<int> scale_down(const RegistryData& data, const std::vector<int>& ids, int count);

  Deps& deps_;
  RuntimeUnits& units_;
  Balancers& balancers_;
  Launcher& launcher_;
  Instances& instances_;
  Completion& completion_;
  HeldLocks locks_;
};

}  // namespace pmctl::core
