#pragma once

#include <functional>
#include <optional>

#include <cstdint>
#include <string>
#include <vector>

#include "core/manager.hpp"
#include "core/registry.hpp"
#include "core/resources.hpp"
#include "core/scope.hpp"
#include "core/status.hpp"

namespace pmctl::core {

/// One app as `ls`, `jlist` and `show` see it: what pmctl keeps plus what systemd says now.
struct AppView {
  AppRecord record;
  std::string unit;
  UnitState state;
  Status status = Status::Stopped;
  std::uint32_t restarts = 0;   ///< PM2's ↺: record.restarts + the unit's automatic restarts.
  std::uint64_t started_usec = 0;  ///< CLOCK_REALTIME µs the current run began; 0 unless online.
  std::uint64_t uptime_ms = 0;     ///< 0 unless online.
  double cpu_percent = 0;       ///< Average since the current run started (like ps).
  std::uint64_t memory_bytes = 0;
  bool memory_from_proc = false;  ///< The cgroup has no memory controller: RSS from /proc.
};

/// Programs the generated units run, resolved once per command.
struct Tools {
  std::string systemd_cat = "/usr/bin/systemd-cat";
  std::string shell = "/bin/sh";
  std::string logwriter = "/usr/libexec/pmctl-logwriter";
  std::string node_preload = "/usr/share/pmctl/pmctl-preload.cjs";
};

/// The PM2 verbs over the registry and the service manager. Every verb validates and computes
/// everything first, then changes things; a failed start leaves nothing registered.
class Lifecycle {
 public:
  Lifecycle(Registry& registry, Manager& manager, Scope scope, Tools tools = {});
  /// Tools are looked up on first launch only: commands that only read never pay for the
  /// PATH search.
  Lifecycle(Registry& registry, Manager& manager, Scope scope, std::function<Tools()> find_tools);

  /// Registers and starts a new app; returns its id. A running app of the same name is an
  /// error unless `force`; a stopped one is started again instead (PM2's smart start). With
  /// `decl.autostart` off the app is only registered, and stays stopped.
  int start_new(const AppDecl& decl, bool force);
  /// Starts a registered app that is not running; restarts it if it is (PM2's smart start).
  void start(int id);
  void restart(int id);
  void stop(int id);
  void remove(int id);
  /// Hides log lines written so far (pmctl flush).
  void flush_logs(const std::vector<int>& ids, std::uint64_t now_usec);
  /// Asks the app's log writers to reopen their files (pmctl reloadLogs); how many there were.
  std::size_t reload_logs(const AppRecord& rec);

  /// Live views of registered apps. Their environments are loaded only when asked for.
  std::vector<AppView> views(const std::vector<int>& ids);
  std::vector<AppView> views(const RegistryData& data, const std::vector<int>& ids);

  std::string unit_of(const AppRecord& rec) const;

 private:
  void fill_view(AppView& view, const UnitState& state, Usage usage, std::uint64_t now);
  void launch(const AppRecord& rec);
  UnitState live(const AppRecord& rec);
  void fold_restarts(int id, std::uint32_t extra);
  void stop_unit(const std::string& unit);
  AppRecord record(int id) const;

  Registry& registry_;
  Manager& manager_;
  Scope scope_;
  std::function<Tools()> find_tools_;
  std::optional<Tools> tools_;
  const Tools& tools();
};

/// Wall-clock now in ms and µs (CLOCK_REALTIME).
std::uint64_t now_ms();
std::uint64_t now_usec();

}  // namespace pmctl::core
