#pragma once
// What every part of the lifecycle works with: the registry, the service manager, the scope,
// the programs the generated units run, and the delays the verbs wait, each named once.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/state/registry.hpp"
#include "core/types/manager.hpp"
#include "core/types/scope.hpp"

namespace pmctl::core {

/// How long systemd gets to unload a unit before pmctl creates one of that name again.
inline constexpr std::chrono::milliseconds kUnloadWait{3000};
/// How long the balancer gets to read its backend file after SIGHUP before an instance it should
/// no longer use goes down; and, in shared mode, how long a replacement must keep running to
/// count as started.
inline constexpr std::chrono::milliseconds kSettle{300};
/// PM2's pause between the instances `sendSignal <sig> <name>` signals.
inline constexpr std::chrono::milliseconds kSignalGap{200};
/// One connection attempt of a readiness probe, and the pause between two.
inline constexpr std::chrono::milliseconds kProbeTimeout{200};
inline constexpr std::chrono::milliseconds kProbePause{50};

/// Programs the generated units run, resolved once per command, and what cluster mode asks of
/// the system (replaced in tests).
struct Tools {
  std::string systemd_cat = "/usr/bin/systemd-cat";
  std::string shell = "/bin/sh";
  std::string logwriter = "/usr/libexec/pmctl/pmctl-logwriter";
  std::string node_preload = "/usr/share/pmctl/pmctl-preload.cjs";
  std::string balancer = "/usr/libexec/pmctl/pmctl-balancer";
  std::string memguard = "/usr/libexec/pmctl/pmctl-memguard";
  std::string watch = "/usr/libexec/pmctl/pmctl-watch";
  /// This pmctl, for `startup -u USER`, which runs `pmctl --user startup` as USER.
  std::string pmctl = "/proc/self/exe";
  /// Backend files, unix endpoints and a copy of the balancer live under here (world-readable).
  std::string runtime_dir = "/run/pmctl";
  /// Shared mode's unit files and the transient units' exec drop-ins go here (runtime_unit_dir;
  /// the CLI fills it in); empty: not known (shared mode says so; no drop-ins are written).
  std::string unit_dir;
  /// Where the system manager exports a running unit's journal settings for journald
  /// (/run/systemd/units; the CLI fills it in for the system manager). systemd 252 leaves a
  /// stopped unit's `log-extra-fields:UNIT` there; pmctl removes it when it stops the unit.
  std::string exported_units_dir;
  /// Where `pmctl save` writes its unit files: /etc/systemd/system, or ~/.config/systemd/user
  /// (persistent_unit_dir; the CLI fills it in). Empty: save and resurrect say it is not known.
  std::string boot_unit_dir;
  /// Whether nothing listens on (IPv4 address, port).
  std::function<bool(const std::string&, std::uint16_t)> port_free;
  /// The lowest port a user manager's socket may bind.
  std::function<unsigned()> unprivileged_port_start;
  /// Whether an instance's endpoint accepts a connection within the time given (a reload's
  /// readiness check); endpoint_accepts when unset.
  std::function<bool(const std::string&, std::chrono::milliseconds)> endpoint_ready;
  /// Turns lingering of a user on or off (logind's SetUserLinger; the CLI fills it in): a user
  /// manager runs at boot only for a lingering user. Throws ManagerError when refused.
  std::function<void(unsigned uid, bool on)> set_linger;
};

/// The shared dependencies of the lifecycle's parts. Tools are looked up on first use only:
/// commands that only read never pay for the PATH search.
class Deps {
 public:
  Deps(Registry& registry, Manager& manager, Scope scope, std::function<Tools()> find_tools);

  Registry& registry;
  Manager& manager;
  const Scope scope;

  const Tools& tools();
  /// Tools::pmctl resolved to the binary's absolute path (/proc/self/exe names it only for this
  /// process), for units that run pmctl; as given when it cannot be resolved.
  std::string pmctl_binary();
  /// Whether nothing listens on (address, port): Tools::port_free, else a real probe.
  bool port_free(const std::string& address, std::uint16_t port);
  /// Whether `endpoint` accepts a connection within `timeout` (probing every kProbePause).
  bool accepts_within(const std::string& endpoint, std::chrono::milliseconds timeout);

 private:
  std::function<Tools()> find_tools_;
  std::optional<Tools> tools_;
};

}  // namespace pmctl::core
