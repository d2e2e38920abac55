#pragma once
// An app's companion units (core/units/companion_units.hpp) as the verbs drive them: made to
// match the declaration whenever an instance of the app starts, stopped with the app where the
// kind says so, removed with it. docs/ARCHITECTURE.md, "Companion units".

#include <string>
#include <vector>

#include "core/lifecycle/deps.hpp"
#include "core/lifecycle/runtime_units.hpp"
#include "core/model/app.hpp"
#include "core/types/unit_state.hpp"
#include "core/units/companion_units.hpp"

namespace pmctl::core {

/// One companion as `show` tells it.
struct CompanionView {
  CompanionKind kind;
  std::string unit;  ///< its main unit now: the transient one, or the saved one after a boot
  UnitState state;   ///< live; a timer's next elapse included
};

class Companions {
 public:
  Companions(Deps& deps, RuntimeUnits& units) : deps_(deps), units_(units) {}

  /// Makes the companions of `decl`'s app match it: each kind it asks for runs (made again when
  /// its settings changed), each kind it does not ask for is removed. A companion whose service
  /// is running right now (the cron restart that called this) is left as it is until next time.
  void ensure(const AppDecl& decl);
  /// Whether `decl` has a companion that does not stay with a stopped app.
  bool any_stop_with(const AppDecl& decl) const;
  /// The app's last running instance stopped: its companions that do not stay with a stopped
  /// app stop.
  void app_stopped(const AppDecl& decl);
  /// Every companion of app `name` stops and its runtime files go (delete; a rename's old name).
  void remove(const std::string& name);
  /// The companions `decl` asks for, live.
  std::vector<CompanionView> views(const AppDecl& decl);

  /// The context the units are made with (the pmctl binary resolved to its absolute path).
  CompanionContext context(bool saved);

 private:
  void ensure_kind(const AppDecl& decl, CompanionKind kind);
  bool saved_matches(const AppDecl& decl, CompanionKind kind);
  void stop_kind(const std::string& name, CompanionKind kind);
  std::string stamp_path(const std::string& unit);

  Deps& deps_;
  RuntimeUnits& units_;
};

}  // namespace pmctl::core
