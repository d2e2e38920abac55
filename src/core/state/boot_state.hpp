#pragma once

// The registry across a boot of the service manager. Transient units are gone after a reboot;
// what the boot started are the saved units of pmctl.target. The first pmctl command after the
// boot (no marker in the runtime directory yet) makes the registry say so.

#include <string>
#include <utility>
#include <vector>

#include "core/model/status.hpp"
#include "core/state/registry.hpp"
#include "core/types/scope.hpp"

namespace pmctl::core {

/// Where `pmctl save` writes unit files: /etc/systemd/system; for a user manager
/// $XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user. $PMCTL_UNIT_DIR overrides both.
/// Throws Error when a user's home is not known.
std::string persistent_unit_dir(Scope scope);

/// The target `startup` links pmctl.target into: multi-user.target or default.target.
std::string boot_wanted_by(Scope scope);

/// Whether `startup` enabled pmctl.target: <unit_dir>/<wanted by>.wants/pmctl.target exists.
bool boot_target_enabled(const std::string& unit_dir, Scope scope);

/// Once per boot of the manager (an O_EXCL marker, <runtime_dir>/booted): if pmctl.target is
/// enabled and dump.json can be read, the registry becomes the dumped apps on their saved units
/// (Slot::Saved), as PM2's list after a reboot is its dump; ↺ counts restart from 0 and `flush`
/// watermarks are kept. Registered apps the dump does not have are forgotten: they did not
/// survive the reboot. Returns whether it did so. Nothing happens where the marker cannot be
/// written (a non-root caller of the system manager).
bool adopt_boot_set(Registry& registry, const std::string& runtime_dir, const std::string& unit_dir,
                    Scope scope);

/// The apps a reboot took: pmctl started them in an earlier boot (AppRecord::boot_id), they are
/// stopped now, and pmctl did not stop them. By what brings them back:
struct LeftByBoot {
  std::vector<int> unsaved;  ///< not in the dump: `pmctl start <ids>` (and save + startup)
  std::vector<int> saved;    ///< in the dump, not stopped there: `pmctl resurrect` (and startup)
  bool empty() const { return unsaved.empty() && saved.empty(); }
};

/// Sorts `apps` (each record with its live status) into LeftByBoot against `boot_id` (this
/// boot's) and the dump in `state_dir`, which is read only when some app qualifies.
LeftByBoot left_by_boot(const std::vector<std::pair<const AppRecord*, Status>>& apps,
                        const std::string& boot_id, const std::string& state_dir);

}  // namespace pmctl::core
