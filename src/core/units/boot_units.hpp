#pragma once

// What `pmctl save` writes so that the apps start at boot with no pmctl process involved: one
// unit file per instance, the slices, each cluster app's public socket and balancer, and
// pmctl.target, which wants all that should run. Pure: the text of each file from the apps.

#include <string>
#include <vector>

#include "core/model/app_record.hpp"
#include "core/types/scope.hpp"
#include "core/units/mapping.hpp"
#include "core/units/memguard_units.hpp"

namespace pmctl::core {

inline constexpr const char* kBootTarget = "pmctl.target";

/// Where the saved units find what they read, and the programs they run.
struct BootPaths {
  Scope scope = Scope::System;
  std::string state_dir;     ///< saved environments, backend files, the balancer's copy
  std::string runtime_dir;   ///< standby flags; the balancer's runtime files
  InstanceContext programs;  ///< systemd_cat, shell, logwriter, node_preload
  std::string balancer;      ///< the balancer binary
  std::string pmctl;         ///< the pmctl binary, absolute (companion units run it)
  std::string memguard;      ///< max_memory_restart's guard
  std::string watch;         ///< watch's watcher
};

struct GeneratedFile {
  std::string name;  ///< a file name in the unit directory
  std::string text;
  bool operator==(const GeneratedFile&) const = default;
};

/// <state>/saved/env/<id>.env: the environment of the saved instance (mode 0600).
std::string saved_env_path(const std::string& state_dir, int id);
/// <state>/saved/backends/<app>: the balancer's backend file as saved, copied into the
/// runtime directory when the saved balancer starts and none is there.
std::string saved_backends_path(const std::string& state_dir, const std::string& app);
/// <state>/saved/bin/pmctl-balancer: a copy for balancers that cannot see the binary.
std::string saved_balancer_copy(const std::string& state_dir);
/// <runtime>/standby/<unit>: while it exists, the saved unit does not start (its
/// ConditionPathExists= fails): pmctl runs that app elsewhere, or it was stopped or deleted
/// since. The runtime directory is empty after a boot, so every saved unit starts then.
std::string standby_flag(const std::string& runtime_dir, const std::string& unit);
/// Whether `unit` is one of the names `pmctl save` writes (…-s.service, …-s.socket, …-s.timer).
bool is_saved_unit(const std::string& unit);

/// The header every generated file starts with.
std::string boot_header();

/// The unit files for `apps` (records as in the registry), in a stable order, pmctl.target
/// last: each instance as pmctl-<name>-<id>-s.service, its environment in saved_env_path; for
/// each cluster app the public socket and balancer (or shared mode's socket and holder) as
/// pmctl-<name>-lb-s.*; each app's companion units (pmctl-<name>-<kind>-s.*); the slices;
/// pmctl.target wanting every unit of the apps not stopped, wanted by multi-user.target (system) or
/// default.target (user). Throws Error for a setting a unit file cannot express.
std::vector<GeneratedFile> render_boot_units(const std::vector<BootApp>& apps,
                                             const BootPaths& paths);

/// The saved companion units of `decl`'s app (companion_units.hpp), each kind it asks for: the
/// main unit with the standby condition (it starts at boot), the others without (a saved timer
/// must be able to start its service while the flag of that service's name is anything).
std::vector<GeneratedFile> companion_unit_files(const AppDecl& decl, const BootPaths& paths);

/// The backend file of the saved balancer of `app`: the saved instances' endpoints.
std::string saved_backends_text(const std::vector<BootApp>& apps, const std::string& app);

}  // namespace pmctl::core
