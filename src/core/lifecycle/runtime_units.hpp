#pragma once
// The units pmctl creates at run time, whatever app they belong to: transient units (with the
// runtime drop-in that lets them survive a daemon-reload on systemd 252), unit files in the
// runtime unit directory (shared mode), and the standby flags of saved units.

#include <string>

#include "core/lifecycle/deps.hpp"
#include "core/types/unit_spec.hpp"

namespace pmctl::core {

class RuntimeUnits {
 public:
  explicit RuntimeUnits(Deps& deps) : deps_(deps) {}

  /// Writes the commands of the transient unit and its aux units as runtime drop-ins, then
  /// creates the units with the rest of their settings (see runtime_units.cpp).
  void start_transient(const UnitSpec& spec);
  /// The same where a unit of that name may still be loaded from an earlier run (failed, or not
  /// yet garbage-collected): it and its aux units are stopped and unloaded first. If they do not
  /// unload within kUnloadWait, the loaded unit is started as it is.
  void start_transient_afresh(const UnitSpec& spec);
  /// Removes `unit`'s command drop-in (folder and all).
  void clear_exec_dropin(const std::string& unit);
  /// Removes what is left in the runtime directories of a unit that is stopped or gone: its
  /// drop-in, and the journal fields systemd 252 exported for it and leaves behind.
  void forget(const std::string& unit);

  /// Writes `spec` as a unit file in the runtime unit directory (header naming `app`); reloads
  /// the manager when a loaded unit's file changed.
  void install_unit_file(const UnitSpec& spec, const std::string& app);
  void uninstall_unit_file(const std::string& unit);

  /// Stops `unit` and clears a failed state, so a deliberate stop ends `stopped` (this also
  /// unloads it), and removes its command drop-in. A saved unit is put on standby first, so
  /// pmctl.target does not start it again.
  void stop(const std::string& unit);
  /// Sets or clears a saved unit's standby flag (boot_units.hpp).
  void standby(const std::string& unit, bool on);

 private:
  bool write_exec_dropin(const UnitSpec& unit);

  Deps& deps_;
};

}  // namespace pmctl::core
