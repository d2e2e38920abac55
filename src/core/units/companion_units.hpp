#pragma once
// Companion units: units of one app (not of one instance) that act on the app from beside it,
// in its slice, named pmctl-<escaped name>-<kind>.<type>: the cron timer of cron_restart, the
// memory guard of max_memory_restart and the file watcher of watch. A new kind is a row in
// companion_kinds(), a case in wants_companion() and companion_spec(), and nothing else to
// learn for pmctl's verbs, save, ls and logs (docs/ARCHITECTURE.md, "Companion units").
// Pure: names and UnitSpecs; core/lifecycle/companions.hpp starts and stops them.

#include <string>
#include <string_view>
#include <vector>

#include "core/model/app.hpp"
#include "core/types/scope.hpp"
#include "core/types/unit_spec.hpp"

namespace pmctl::core {

enum class CompanionKind { Cron, Mem, Watch };

struct CompanionInfo {
  CompanionKind kind;
  /// The name part after the app's: pmctl-<escaped name>-<suffix>.<type>.
  std::string_view suffix;
  /// The unit types, the main one first: the unit pmctl starts, whose state `show` prints; the
  /// others come along as its aux units (a timer's service).
  std::vector<std::string_view> types;
  /// Whether it stays when the app is stopped (PM2 keeps a stopped app's cron job: the next
  /// tick starts the app again); either way it goes when the app is deleted.
  bool stays_when_stopped;
};

/// Every kind, in a fixed order.
const std::vector<CompanionInfo>& companion_kinds();
const CompanionInfo& companion_info(CompanionKind kind);

/// The verb a companion runs to restart the app: "restart", or "reload" for a cluster or a pool
/// (one instance at a time, as PM2 restarts them gracefully).
std::string_view restart_verb(const AppDecl& decl);

/// A long-running companion service of `app` (the memory guard, the watcher): `argv` as an exec
/// service in the app's slice and PartOf= it (stopping or restarting the slice, the whole app,
/// takes the companion along), no environment expansion, started again `restart` (systemd's
/// Restart= word) after a second. Not bound to an instance unit: a restart stops that unit, and
/// would stop the companion with the restart it runs.
UnitSpec companion_service(const AppDecl& app, const std::string& unit,
                           const std::string& description, const std::vector<std::string>& argv,
                           std::string_view restart);

/// Whether `decl` asks for a companion of `kind` (cron: a cron_restart pattern; mem: a
/// max_memory_restart; watch: watch on).
bool wants_companion(const AppDecl& decl, CompanionKind kind);

/// `pmctl-<escaped name>-<suffix>`, and `…-<suffix>-s` for the unit files of `pmctl save`.
std::string companion_base(std::string_view app_name, CompanionKind kind, bool saved = false);
/// Every unit of the companion, the main one first (cron: the .timer, then its .service).
std::vector<std::string> companion_units(std::string_view app_name, CompanionKind kind,
                                         bool saved = false);
/// Whether `unit` is a companion unit of some app, transient or saved (no app instance: `ls`,
/// `logs` and recovery pass it by).
bool is_companion_unit(std::string_view unit);

/// What a companion's units need besides the declaration.
struct CompanionContext {
  Scope scope = Scope::System;
  std::string pmctl;   ///< Absolute path of the pmctl binary that the units run.
  bool saved = false;  ///< The unit files of `pmctl save` (names end `-s`).
  std::string memguard = "/usr/libexec/pmctl/pmctl-memguard";  ///< max_memory_restart's guard
  std::string watch = "/usr/libexec/pmctl/pmctl-watch";        ///< watch's watcher
};

/// The companion's main unit with the others as its aux units, to start in one call. Cron: the
/// timer (one OnCalendar= per expression of cron_to_calendar, 1 s accuracy) and its oneshot
/// service, in the app's slice, running `<pmctl> --system|--user restart <name>` (`reload` for a
/// cluster or pool app), so a cron restart is the same transaction as a manual one. Throws
/// core::Error for a pattern cron_to_calendar refuses. Mem: pmctl-memguard (memguard_units.hpp).
/// Watch: pmctl-watch (watch_units.hpp).
UnitSpec companion_spec(const AppDecl& decl, CompanionKind kind, const CompanionContext& ctx);

}  // namespace pmctl::core
