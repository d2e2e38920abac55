#pragma once

#include <map>
#include <string>

#include "core/model/app.hpp"
#include "core/model/app_record.hpp"
#include "core/types/scope.hpp"
#include "core/types/unit_spec.hpp"

namespace pmctl::core {

/// Where one instance of an app lives; everything the pure mapping needs besides the declaration.
struct InstanceContext {
  int id = 0;           ///< pm_id
  int instance = 0;     ///< NODE_APP_INSTANCE (or the app's instance_var)
  Slot slot = Slot::A;  ///< Which of the instance's unit names (AppRecord::slot)
  /// Shared mode: the socket unit whose listening socket the instance inherits; empty: the
  /// app's runtime socket (balancer_unit_base + ".socket").
  std::string socket_unit;
  /// Cluster mode: the instance's private endpoint in the balancer's syntax
  /// ("tcp:127.0.0.1:20001", "unix:/run/pmctl/apps/web/3.sock"); empty in fork mode.
  std::string endpoint;
  Scope scope = Scope::System;
  std::string env_file;       ///< Absolute path of the instance's environment file.
  std::string backoff_state;  ///< Absolute path of the exp back-off state file.
  std::string systemd_cat = "/usr/bin/systemd-cat";
  std::string shell = "/bin/sh";
  std::string logwriter = "/usr/libexec/pmctl/pmctl-logwriter";     ///< Writes declared log files.
  std::string node_preload = "/usr/share/pmctl/pmctl-preload.cjs";  ///< PM2's IPC for node apps.
};

/// PM2's injected variables: pm_id, name, namespace, the instance number as NODE_APP_INSTANCE
/// (or the app's instance_var), and PYTHONUNBUFFERED=1 for python interpreters, as PM2 does.
/// In cluster mode also PORT (the instance's private port or socket path) and increment_var
/// (the app's value of it, default 0, plus the instance number).
std::map<std::string, std::string> injected_env(const AppDecl& app, const InstanceContext& ctx);

/// Node apps that use PM2's IPC conventions (wait_ready, shutdown_with_message) and cluster
/// instances get pmctl's preload through NODE_OPTIONS, unless `--no-shim`: it provides
/// process.send('ready') and the 'shutdown' message, and turns a listen() on the public port
/// into one on the instance's own endpoint (docs/usage.md, "The node preload").
bool uses_node_preload(const AppDecl& app);

/// max_memory_restart's kernel cap (MemoryMax=): half as much again above the limit, where the
/// kernel's OOM killer stops an instance that grew faster than pmctl-memguard, which restarts
/// it gracefully at the limit itself, could act (docs/usage.md, "Memory limits").
constexpr std::uint64_t kernel_memory_cap(std::uint64_t limit) { return limit + limit / 2; }

/// The transient service for one instance of `app`. Pure: same input, same properties.
UnitSpec map_service(const AppDecl& app, const InstanceContext& ctx);

/// The content pmctl writes to the back-off state file before a manual start, so that the
/// first run is not delayed.
inline constexpr const char* kBackoffFresh = "-1 0\n";

}  // namespace pmctl::core
