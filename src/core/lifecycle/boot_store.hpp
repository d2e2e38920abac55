#pragma once
// PM2's save, resurrect and cleardump: the dump and the unit files that start the apps at boot
// (units/boot_units.hpp), written as one transaction, and the saved apps brought back.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/base/accounts.hpp"
#include "core/lifecycle/balancers.hpp"
#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/instances.hpp"
#include "core/lifecycle/launcher.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/lifecycle/views.hpp"
#include "core/state/file_undo.hpp"
#include "core/units/boot_units.hpp"

namespace pmctl::core {

class BootStore {
 public:
  BootStore(Deps& deps, RuntimeUnits& units, Balancers& balancers, Launcher& launcher,
            Instances& instances, Views& views)
      : deps_(deps),
        units_(units),
        balancers_(balancers),
        launcher_(launcher),
        instances_(instances),
        views_(views) {}

  /// PM2's save: the dump (previous one kept as .bak) and the unit files, all or nothing. An
  /// empty list is saved only with `force`. Returns how many instances were saved; -1 when
  /// nothing was saved (empty, no force).
  int save(bool force);
  /// PM2's cleardump: an empty dump, and no saved units (pmctl.target stays, wanting nothing).
  void clear_dump();
  /// PM2's resurrect: registers and starts the dumped apps whose names are not running (a
  /// stopped dumped app is registered stopped), on their saved units where they keep their ids.
  /// Returns the names brought back and, in `source`, the file used ("" if none).
  std::vector<std::string> resurrect(std::string& source);
  /// Where the saved units find what they read, and the programs they run.
  BootPaths paths();

  /// PM2's startup: pmctl.target enabled into the manager's boot target (an empty one is written
  /// when no save made one), and, for a user manager, lingering turned on so it runs at boot.
  /// Refused to a non-root caller of the system manager. Records what it did
  /// (state/startup_record.hpp). Returns the user whose lingering is on ("" if none).
  /// `caller_linger`: "" (this process sees to lingering), "turned-on" (root's `startup -u`
  /// turned it on for this user: recorded as startup's) or "kept" (root sees to it: untouched).
  std::string startup(const std::string& caller_linger = "");
  /// Undoes exactly what startup did: pmctl.target disabled, the target file removed if startup
  /// made it (and no save has taken it over), lingering off if startup turned it on (unless
  /// `caller_linger` is "kept": root's `unstartup -u` sees to it). Returns the user whose
  /// lingering it turned off ("" if none).
  std::string unstartup(const std::string& caller_linger = "");
  /// PM2's `startup -u USER [--hp HOME]`, run by root: lingering on for USER, USER's manager
  /// started, and `pmctl --user startup` run as USER (boot_store_for_user.cpp). Returns USER.
  /// An unknown user, a --hp that is no directory, or a caller who is not root: core::Error.
  std::string startup_for(const std::string& user, const std::string& home);
  /// Undoes it: `pmctl --user unstartup` as USER, then lingering off if startup turned it on.
  /// Returns USER if lingering went off, else "".
  std::string unstartup_for(const std::string& user, const std::string& home);

 private:
  void write_files(const std::vector<BootApp>& apps, bool keep_units_of_running);
  void write_saved_copies(FileUndo& undo, const std::vector<BootApp>& apps);
  void set_standby_flags(const std::set<std::string>& names, const std::vector<BootApp>& apps,
                         bool keep_units_of_running);
  void remove_unsaved_environments(const std::vector<BootApp>& apps);
  void resurrect_app(const std::vector<BootApp>& group);
  void check_root(const std::string& command);
  /// Where save writes its unit files (Tools::boot_unit_dir); core::Error when not known.
  std::filesystem::path unit_dir();
  bool ensure_target();
  bool enable_linger(const Account& user);
  Account user_for(const std::string& verb, const std::string& name, const std::string& home);
  void start_user_manager(const Account& user);
  void run_user_verb(const Account& user, const std::string& verb, const std::string& linger);

  Deps& deps_;
  RuntimeUnits& units_;
  Balancers& balancers_;
  Launcher& launcher_;
  Instances& instances_;
  Views& views_;
};

}  // namespace pmctl::core
