#pragma once
// max_memory_restart's companion: pmctl-memguard as a unit in the app's slice (a pure renderer;
// companion_units.hpp names it, pmctl-<name>-mem.service).

#include <string>
#include <string_view>

#include "core/model/app.hpp"
#include "core/types/scope.hpp"
#include "core/types/unit_spec.hpp"

namespace pmctl::core {

/// How often pmctl-memguard reads the instances' memory (PM2: every 30 s).
inline constexpr std::uint64_t kMemguardIntervalMs = 1000;

/// What the guard of one app runs with.
struct MemguardPlan {
  std::string memguard = "/usr/libexec/pmctl/pmctl-memguard";
  std::string pmctl = "/usr/bin/pmctl";  ///< what the guard runs to restart an instance
  Scope scope = Scope::System;
};

/// The guard of `app` (which has a max_memory_restart): a service in the app's slice that runs
/// `pmctl-memguard --limit <bytes> --pmctl <pmctl> --action <restart_verb> --interval-ms N
/// [--user]`.
/// It runs as the manager's user (root, or the user of a user manager): restarting an app is a
/// pmctl command against that manager.
UnitSpec memguard_unit(const AppDecl& app, const MemguardPlan& plan, const std::string& unit);

}  // namespace pmctl::core
