#pragma once
// The PM2 verbs, as the CLI calls them: a thin facade over the parts that do the work, each with
// one job (docs/ARCHITECTURE.md). Every verb validates and computes everything first, then
// changes things; a failed start leaves nothing registered.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/base/resources.hpp"
#include "core/lifecycle/balancers.hpp"
#include "core/lifecycle/boot_store.hpp"
#include "core/lifecycle/completion.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/endpoints.hpp"
#include "core/lifecycle/instances.hpp"
#include "core/lifecycle/launcher.hpp"
#include "core/lifecycle/new_apps.hpp"
#include "core/lifecycle/rollout.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/lifecycle/views.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {

class Lifecycle {
 public:
  Lifecycle(Registry& registry, Manager& manager, Scope scope, Tools tools = {});
  /// Tools are looked up on first use only (Deps).
  Lifecycle(Registry& registry, Manager& manager, Scope scope, std::function<Tools()> find_tools);
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  // Apps coming in (new_apps.hpp).
  int start_new(const AppDecl& decl, bool force) { return new_apps_.start_fork(decl, force); }
  std::vector<int> start_cluster(const AppDecl& decl) { return new_apps_.start_cluster(decl); }
  std::string redeclare_cluster(const std::string& name, const AppDecl& decl, bool reload = false) {
    return new_apps_.redeclare_cluster(name, decl, reload);
  }
  Applied apply(const std::vector<ConvertedApp>& apps, bool force, bool reload) {
    return new_apps_.apply(apps, force, reload);
  }
  /// PM2's --update-env: `env` merged into each app's declaration (variables are added or
  /// overwritten, never removed); PWD is each app's working directory.
  void update_env(const std::vector<int>& ids, const std::map<std::string, std::string>& env);

  // One instance (instances.hpp).
  /// start and restart first complete an app a killed command left half-made (completion.hpp):
  /// its instances are then up, and need nothing more from this command.
  void start(int id) {
    if (!completion_.complete_app_of(id)) instances_.start(id);
  }
  void restart(int id) {
    if (!completion_.complete_app_of(id)) instances_.restart(id);
  }
  /// PM2's app options on restart and reload (`--node-args`, `--name`, ...): checks the apps'
  /// new declarations before anything changes. A cluster keeps its shape; a new name must be
  /// free, given to every instance of a pool at once, and not to an app behind a port (its
  /// balancer and socket are named after it).
  void check_redeclare(const std::map<int, AppDecl>& decls) const;
  /// Replaces the declarations of apps whose name stays (reload then rolls them out).
  void redeclare(const std::map<int, AppDecl>& decls);
  /// Restarts under a new declaration (a rename goes this way: its units change names).
  void restart_as(int id, const AppDecl& decl) {
    if (!completion_.complete_app_of(id)) instances_.restart_as(id, decl);
  }
  void stop(int id) { instances_.stop(id); }
  void remove(int id) { instances_.remove(id); }
  /// PM2's reset: each instance's ↺ (and systemd's start limiter) back to 0, created_at now.
  void reset(const std::vector<int>& ids) {
    for (int id : ids) instances_.reset(id);
  }
  /// PM2's sendSignal: `signal` to the main process of each of `ids` that runs (online or
  /// launching), kSignalGap apart; returns those ids. core::Error when none of them runs.
  std::vector<int> send_signal(const std::vector<int>& ids, int signal);

  // Rollouts (rollout.hpp).
  void reload(int id) { reload(std::vector<int>{id}); }
  /// An app a killed command left half-made is completed, then reloaded.
  void reload(const std::vector<int>& ids) {
    for (int id : ids) completion_.complete_app_of(id);
    rollout_.reload(ids);
  }
  /// An app a killed command left half-made is completed, then scaled.
  std::vector<int> scale(const std::string& name, int target) {
    completion_.complete(name);
    return rollout_.scale(name, target);
  }

  // Boot (boot_store.hpp).
  int save(bool force) { return boot_.save(force); }
  std::vector<std::string> resurrect(std::string& source) { return boot_.resurrect(source); }
  void clear_dump() { boot_.clear_dump(); }
  std::string startup(const std::string& caller_linger = "") {
    return boot_.startup(caller_linger);
  }
  std::string unstartup(const std::string& caller_linger = "") {
    return boot_.unstartup(caller_linger);
  }
  std::string startup_for(const std::string& user, const std::string& home) {
    return boot_.startup_for(user, home);
  }
  std::string unstartup_for(const std::string& user, const std::string& home) {
    return boot_.unstartup_for(user, home);
  }

  // Logs.
  /// Hides log lines written so far (pmctl flush): journal entries up to `realtime_usec`.
  void flush_logs(const std::vector<int>& ids, std::uint64_t realtime_usec);
  /// Asks the app's log writers to reopen their files (pmctl reloadLogs); how many there were.
  std::size_t reload_logs(const AppRecord& rec);

  // Reads.
  std::vector<AppView> views(const std::vector<int>& ids) { return views_.of(ids); }
  std::vector<AppView> views(const RegistryData& data, const std::vector<int>& ids) {
    return views_.of(data, ids);
  }
  BalancerView balancer_view(const AppDecl& decl) { return balancers_.view(decl); }
  std::vector<CompanionView> companion_views(const AppDecl& decl) {
    return companions_.views(decl);
  }
  /// Whether this manager's apps have a memory controller (max_memory_restart's kernel cap).
  bool memory_controller() {
    return memory_controller_available(manager_cgroup(deps_.scope, getuid()));
  }
  /// The endpoints of `ids` that did not accept a connection within `timeout`.
  std::vector<std::string> not_listening(const std::vector<int>& ids,
                                         std::chrono::milliseconds timeout) {
    return launcher_.not_listening(ids, timeout);
  }
  std::string unit_of(const AppRecord& rec) const { return core::unit_of(rec); }

  /// The connection counters of app `name`'s balancer (Balancers::counters).
  std::optional<BalancerCounters> balancer_counters(const std::string& name) {
    return balancers_.counters(name);
  }

  // The socket-activated endpoints (endpoints.hpp).
  EndpointEnabled enable_endpoint(EndpointKind kind, const EndpointSettings& s) {
    return endpoints_.enable(kind, s);
  }
  bool disable_endpoint(EndpointKind kind) { return endpoints_.disable(kind); }
  EndpointStatus endpoint_status(EndpointKind kind) { return endpoints_.status(kind); }

 private:
  Deps deps_;
  RuntimeUnits units_{deps_};
  Balancers balancers_{deps_, units_};
  Companions companions_{deps_, units_};
  Launcher launcher_{deps_, units_, balancers_, companions_};
  Views views_{deps_};
  Completion completion_{deps_, units_, balancers_, launcher_};
  Instances instances_{deps_, units_, balancers_, launcher_, views_, completion_, companions_};
  Rollout rollout_{deps_, units_, balancers_, launcher_, instances_, completion_};
  NewApps new_apps_{deps_,      units_, balancers_, launcher_,
                    instances_, views_, rollout_,   completion_};
  BootStore boot_{deps_, units_, balancers_, launcher_, instances_, views_};
  HttpEndpoints endpoints_{deps_};
};

}  // namespace pmctl::core
