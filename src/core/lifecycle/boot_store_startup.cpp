// PM2's startup and unstartup: pmctl.target enabled at boot, and undone exactly.
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/base/files.hpp"
#include "core/base/linger.hpp"
#include "core/base/on_failure.hpp"
#include "core/lifecycle/boot_store.hpp"
#include "core/state/dump.hpp"
#include "core/state/startup_record.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

/// Whether `pmctl save` wrote pmctl.target (then it is save's to keep, not startup's).
bool saved_target(const fs::path& state_dir) {
  const auto names = saved_unit_names(state_dir);
  return std::find(names.begin(), names.end(), kBootTarget) != names.end();
}

}  // namespace

void BootStore::check_root(const std::string& command) {
  if (deps_.scope == Scope::System && geteuid() != 0)
    throw Error("'pmctl " + command + "' for the system manager needs root",
                "run: sudo pmctl " + command + " (or 'pmctl --user " + command +
                    "' for your own user manager)");
  unit_dir();  // says what is missing before anything changes
}

/// Writes an empty pmctl.target when no save made one; true if it did.
bool BootStore::ensure_target() {
  const fs::path dir = unit_dir();
  if (fs::exists(dir / kBootTarget)) return false;
  BootPaths empty;
  empty.scope = deps_.scope;
  for (const auto& f : render_boot_units({}, empty))
    if (f.name == kBootTarget) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      write_file_atomically(dir / f.name, f.text, 0644);
    }
  return true;
}

/// A user manager runs at boot only for a lingering user; true if this turned it on.
bool BootStore::enable_linger(const Account& user) {
  if (user_lingers(user.name)) return false;
  if (!deps_.tools().set_linger)
    throw Error("internal: no way to turn lingering on", "report this");
  try {
    deps_.tools().set_linger(user.uid, true);
  } catch (const ManagerError& e) {
    throw Error("cannot make your user manager start at boot (" + std::string(e.what()) + ")",
                "an administrator must run: sudo loginctl enable-linger " + user.name);
  }
  return true;
}

std::string BootStore::startup(const std::string& caller_linger) {
  check_root("startup");
  const fs::path state = deps_.registry.dir();
  StartupRecord record = read_startup_record(state);
  const bool created = ensure_target();
  {
    const OnFailure undo([&] {
      if (created) fs::remove(unit_dir() / kBootTarget);
    });
    if (caller_linger == "turned-on")
      record.linger_enabled = true;
    else if (deps_.scope == Scope::User && caller_linger.empty())
      record.linger_enabled = enable_linger(current_user()) || record.linger_enabled;
    deps_.manager.enable_unit_files({kBootTarget});
    deps_.manager.reload_daemon();
  }
  record.target_created = created || record.target_created;
  write_startup_record(state, record);
  return record.linger_enabled ? current_user().name : "";
}

std::string BootStore::unstartup(const std::string& caller_linger) {
  check_root("unstartup");
  const fs::path state = deps_.registry.dir();
  const StartupRecord record = read_startup_record(state);
  if (!deps_.manager.unit_file_state(kBootTarget).empty())
    deps_.manager.disable_unit_files({kBootTarget});
  if (record.target_created && !saved_target(state)) fs::remove(unit_dir() / kBootTarget);
  deps_.manager.reload_daemon();
  std::string lingering_off;
  if (record.linger_enabled && caller_linger.empty()) {
    const Account me = current_user();
    if (deps_.tools().set_linger) deps_.tools().set_linger(me.uid, false);
    lingering_off = me.name;
  }
  std::error_code ec;
  fs::remove(startup_record_path(state), ec);
  return lingering_off;
}

}  // namespace pmctl::core
