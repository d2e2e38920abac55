#include "core/units/companion_units.hpp"

#include "core/types/error.hpp"
#include "core/units/cron_calendar.hpp"
#include "core/units/memguard_units.hpp"
#include "core/units/unit_names.hpp"
#include "core/units/watch_units.hpp"

namespace pmctl::core {
namespace {

/// systemd's timers elapse within AccuracySec= of their time, by default a minute late; croner
/// fires on the second.
constexpr std::uint64_t kCronAccuracyUsec = 1'000'000;

UnitSpec cron_spec(const AppDecl& decl, const CompanionContext& ctx) {
  const auto units = companion_units(decl.name, CompanionKind::Cron, ctx.saved);
  UnitSpec timer{units.at(0), {}, {}};
  timer.properties.push_back(
      {"Description", "pmctl: cron_restart of '" + decl.name + "' (" + decl.cron_restart + ")"});
  for (auto& expression : cron_to_calendar(decl.cron_restart))
    timer.properties.push_back({"OnCalendar", expression});
  timer.properties.push_back({"AccuracyUSec", kCronAccuracyUsec});
  const std::string verb(restart_verb(decl));
  const std::vector<std::string> argv = {
      ctx.pmctl, ctx.scope == Scope::User ? "--user" : "--system", verb, decl.name};
  UnitSpec service{units.at(1), {}, {}};
  service.properties = {
      {"Description", "pmctl: " + verb + " '" + decl.name + "' (cron_restart)"},
      {"Type", std::string("oneshot")},
      {"Slice", app_slice_name(decl.name)},
      {"ExecStartEx", std::vector<ExecCommand>{{ctx.pmctl, argv, {}}}},
  };
  timer.aux.push_back(std::move(service));
  return timer;
}

}  // namespace

const std::vector<CompanionInfo>& companion_kinds() {
  static const std::vector<CompanionInfo> kinds = {
      {CompanionKind::Cron, "cron", {".timer", ".service"}, true},
      {CompanionKind::Mem, "mem", {".service"}, false},
      {CompanionKind::Watch, "watch", {".service"}, false},
  };
  return kinds;
}

const CompanionInfo& companion_info(CompanionKind kind) {
  for (const auto& info : companion_kinds())
    if (info.kind == kind) return info;
  throw Error("internal error: unknown companion kind");
}

std::string_view restart_verb(const AppDecl& decl) {
  return decl.cluster.enabled ? "reload" : "restart";
}

UnitSpec companion_service(const AppDecl& app, const std::string& unit,
                           const std::string& description, const std::vector<std::string>& argv,
                           std::string_view restart) {
  UnitSpec spec{unit, {}, {}};
  spec.properties = {
      {"Description", description},
      {"Slice", app_slice_name(app.name)},
      {"PartOf", std::vector<std::string>{app_slice_name(app.name)}},
      {"Type", std::string("exec")},
      {"ExecStartEx", std::vector<ExecCommand>{{argv.at(0), argv, {"no-env-expand"}}}},
      {"Restart", std::string(restart)},
      {"RestartUSec", std::uint64_t{1'000'000}},
  };
  return spec;
}

bool wants_companion(const AppDecl& decl, CompanionKind kind) {
  switch (kind) {
    case CompanionKind::Cron:
      return !decl.cron_restart.empty();
    case CompanionKind::Mem:
      return decl.max_memory_bytes != 0;
    case CompanionKind::Watch:
      return decl.watch.enabled;
  }
  return false;
}

std::string companion_base(std::string_view app_name, CompanionKind kind, bool saved) {
  return std::string(kUnitPrefix) + "-" + escape_unit_component(app_name) + "-" +
         std::string(companion_info(kind).suffix) + (saved ? "-s" : "");
}

std::vector<std::string> companion_units(std::string_view app_name, CompanionKind kind,
                                         bool saved) {
  const std::string base = companion_base(app_name, kind, saved);
  std::vector<std::string> units;
  for (const auto type : companion_info(kind).types) units.push_back(base + std::string(type));
  return units;
}

// Escaped names have no `-`, so the dashes split pmctl-<escaped>-<suffix>[-s].<type> exactly.
bool is_companion_unit(std::string_view unit) {
  const std::string prefix = std::string(kUnitPrefix) + "-";
  const auto dot = unit.rfind('.');
  if (!unit.starts_with(prefix) || dot == std::string_view::npos) return false;
  std::string_view rest = unit.substr(prefix.size(), dot - prefix.size());
  const std::string_view type = unit.substr(dot);
  if (rest.ends_with("-s")) rest.remove_suffix(2);
  const auto dash = rest.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return false;
  if (rest.substr(0, dash).find('-') != std::string_view::npos) return false;
  const std::string_view suffix = rest.substr(dash + 1);
  for (const auto& info : companion_kinds()) {
    if (info.suffix != suffix) continue;
    for (const auto t : info.types)
      if (t == type) return true;
  }
  return false;
}

UnitSpec companion_spec(const AppDecl& decl, CompanionKind kind, const CompanionContext& ctx) {
  switch (kind) {
    case CompanionKind::Cron:
      return cron_spec(decl, ctx);
    case CompanionKind::Mem:
      return memguard_unit(decl, {ctx.memguard, ctx.pmctl, ctx.scope},
                           companion_units(decl.name, kind, ctx.saved).at(0));
    case CompanionKind::Watch:
      return watch_unit(decl, {ctx.watch, ctx.pmctl, ctx.scope},
                        companion_units(decl.name, kind, ctx.saved).at(0));
  }
  throw Error("internal error: unknown companion kind");
}

}  // namespace pmctl::core
