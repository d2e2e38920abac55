#pragma once
// pmctl can always see and stop what it started: when registry.json is damaged or gone, the apps
// are rebuilt from what is left, which is also what `pmctl repair` writes back
// (docs/reliability.md, section 3).

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/state/registry.hpp"
#include "core/types/manager.hpp"

namespace pmctl::core {

/// The ids of every loaded pmctl instance unit, whichever state directory it belongs to.
std::set<int> live_unit_ids(Manager& manager);

/// Where a recovered app's declaration came from.
enum class DeclSource {
  Registry,    ///< registry.json (repair of a registry that could be read)
  RecordFile,  ///< <state>/apps/<id>.json
  Dump,        ///< the last `pmctl save` (dump.json)
  Unit,        ///< only the unit's command line and working directory: a minimal one
};
std::string_view to_string(DeclSource source);

struct RecoveredApp {
  int id = 0;
  std::string name;
  DeclSource source = DeclSource::Unit;
  std::string unit;  ///< the live unit, "" when none is loaded
};

struct Recovery {
  RegistryData data;
  std::vector<RecoveredApp> apps;  ///< one per app of `data`, in the same order
};

/// The apps of the registry's state directory, rebuilt from: every record file
/// (<state>/apps/<id>.json), and every loaded pmctl instance unit whose environment file in this
/// state directory (<state>/env/<id>.env) names it, so another state directory's units are
/// never taken. Ids, names and namespaces come from the live units (name and id from the unit's
/// name, the namespace from its environment file); declarations from `current` (the registry,
/// when it could be read), else the record file, else the dump, else a minimal one made from
/// the unit's command line and working directory.
Recovery recover_apps(const Registry& registry, Manager& manager,
                      const RegistryData* current = nullptr);
/// The same with the manager connected on first use; where it cannot be reached, from the
/// record files alone.
Recovery recover_apps(const Registry& registry, const std::function<Manager&()>& manager,
                      const RegistryData* current = nullptr);

/// `pmctl repair`'s answer.
struct RepairReport {
  std::vector<RecoveredApp> apps;
  std::string damaged_kept_as;  ///< where the damaged registry.json went ("" if none)
  bool registry_was_missing = false;
  std::size_t added = 0;  ///< apps the registry did not have
};

/// Rebuilds registry.json from recover_apps (keeping every app a readable registry has), under
/// the registry's exclusive lock; a damaged one is kept as registry.json.damaged-<time>.
RepairReport repair_registry(Registry& registry, Manager& manager);

/// Registry::Live over `manager`: live_unit_ids, and recover_apps with `on_recovered` told what
/// was recovered and why (the CLI warns): always for a damaged registry.json, for a missing one
/// only when apps were found.
Registry::Live live_sources(
    const Registry& registry, const std::function<Manager&()>& manager,
    const std::function<void(const std::string& problem, const Recovery&)>& on_recovered);

}  // namespace pmctl::core
