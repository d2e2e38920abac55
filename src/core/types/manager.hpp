#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/types/unit_spec.hpp"
#include "core/types/unit_state.hpp"

namespace pmctl::core {

/// A failure reported by the service manager: the D-Bus error name (e.g.
/// "org.freedesktop.systemd1.NoSuchUnit") when there is one, else an errno text in what().
class ManagerError : public std::runtime_error {
 public:
  ManagerError(std::string name, const std::string& message)
      : std::runtime_error(message), name_(std::move(name)) {}
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

inline constexpr const char* kNoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";
inline constexpr const char* kUnitExists = "org.freedesktop.systemd1.UnitExists";
inline constexpr const char* kAccessDenied = "org.freedesktop.DBus.Error.AccessDenied";
/// Not a D-Bus name: the manager could not be reached at all.
inline constexpr const char* kConnectFailed = "pmctl.Connect";
/// Not a D-Bus name: the start job of a unit ended with a result other than "done".
inline constexpr const char* kJobFailed = "pmctl.JobFailed";

/// What a unit runs: its first ExecStart= command line and its working directory (enough to
/// run it again when nothing else says how).
struct UnitCommand {
  std::vector<std::string> argv;
  std::string working_directory;
};

/// The handful of service-manager operations pmctl needs. The real implementation speaks
/// sd-bus to systemd (src/systemd); tests use an in-memory fake. Every call that queues a job
/// waits for that job to finish.
class Manager {
 public:
  virtual ~Manager() = default;

  /// Creates and starts a transient unit (StartTransientUnit, mode "fail").
  virtual void start_transient(const UnitSpec& spec) = 0;
  /// StartUnit / RestartUnit of a unit that is loaded.
  virtual void start(const std::string& unit) = 0;
  virtual void restart(const std::string& unit) = 0;
  /// StopUnit; a unit that is not loaded counts as already stopped.
  virtual void stop(const std::string& unit) = 0;
  /// ResetFailedUnit; a unit that is not loaded is ignored.
  virtual void reset_failed(const std::string& unit) = 0;
  /// KillUnit(unit, "main", signal).
  virtual void kill(const std::string& unit, int signal) = 0;
  /// The live state of many units in a constant number of round trips, in the order given.
  /// Without `main_pid`, MainPID is not asked for (left 0): `ls` takes it from cgroupfs, which
  /// spares PID 1 one read per unit.
  virtual std::vector<UnitState> query(const std::vector<std::string>& units,
                                       bool main_pid = true) = 0;
  /// The names of the loaded units that match the glob `pattern` (ListUnitsByPatterns).
  virtual std::vector<std::string> units_matching(const std::string& pattern) = 0;
  /// The ExecStart and WorkingDirectory properties of a loaded service.
  virtual UnitCommand unit_command(const std::string& unit) = 0;
  /// Waits until `unit` is no longer loaded; true if it was unloaded within `timeout`.
  virtual bool wait_unloaded(const std::string& unit, std::chrono::milliseconds timeout) = 0;
  /// Manager.Reload (daemon-reload): unit files are read again; returns once that is done.
  virtual void reload_daemon() = 0;

  /// EnableUnitFiles(files, runtime=false, force=true): links the files' [Install] sections
  /// (symlinks in the persistent config dir). Does not reload; the caller calls reload_daemon().
  virtual void enable_unit_files(const std::vector<std::string>& files) = 0;
  /// DisableUnitFiles(files, runtime=false): removes those symlinks. Does not reload.
  virtual void disable_unit_files(const std::vector<std::string>& files) = 0;
  /// GetUnitFileState(file): "enabled", "disabled", "static", ... ; "" when no such unit file
  /// (org.freedesktop.systemd1.NoSuchUnit / file not found).
  virtual std::string unit_file_state(const std::string& file) = 0;
  /// The manager's Version property ("252.36-1~deb12u1"): what `pmctl ping` answers with.
  virtual std::string version() = 0;
  /// A service's StatusText (what it last sent as sd_notify STATUS=); "" when it sent none or
  /// the unit is not loaded.
  virtual std::string status_text(const std::string& service) = 0;
};

}  // namespace pmctl::core
