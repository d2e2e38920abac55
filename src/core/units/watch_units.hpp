#pragma once
// PM2's watch as a companion: pmctl-watch as a unit in the app's slice (a pure renderer;
// companion_units.hpp names it, pmctl-<name>-watch.service).

#include <string>

#include "core/model/app.hpp"
#include "core/types/scope.hpp"
#include "core/types/unit_spec.hpp"

namespace pmctl::core {

/// What the watcher of one app runs with.
struct WatchPlan {
  std::string watch = "/usr/libexec/pmctl/pmctl-watch";
  std::string pmctl = "/usr/bin/pmctl";  ///< what the watcher runs to restart the app
  Scope scope = Scope::System;
};

/// A watch path as given (PM2: relative to the app's cwd) made absolute and normal.
std::string watch_path(const std::string& cwd, const std::string& path);

/// The paths `app` watches: its watch paths, or its cwd when it names none (PM2's watch: true).
std::vector<std::string> watched_paths(const AppDecl& app);

/// The watcher of `app` (which has watch on): a service in the app's slice that runs
/// `pmctl-watch --pmctl <pmctl> --name <name> --action <restart_verb> [--user] --path P...
/// [--ignore PATTERN...] [--delay-ms N] [--follow-symlinks]`, PartOf= the app's slice
/// (companion_service); pmctl stops it with the app's last instance (Companions).
UnitSpec watch_unit(const AppDecl& app, const WatchPlan& plan, const std::string& unit);

}  // namespace pmctl::core
