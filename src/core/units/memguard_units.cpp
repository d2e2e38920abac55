#include "core/units/memguard_units.hpp"

#include "core/units/companion_units.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {

UnitSpec memguard_unit(const AppDecl& app, const MemguardPlan& plan, const std::string& unit) {
  std::vector<std::string> argv = {plan.memguard,
                                   "--limit",
                                   std::to_string(app.max_memory_bytes),
                                   "--pmctl",
                                   plan.pmctl,
                                   "--action",
                                   std::string(restart_verb(app)),
                                   "--interval-ms",
                                   std::to_string(kMemguardIntervalMs)};
  if (plan.scope == Scope::User) argv.emplace_back("--user");
  UnitSpec spec{unit, {}, {}};
  spec.properties = {
      {"Description", "pmctl max_memory_restart of '" + app.name + "'"},
      {"Slice", app_slice_name(app.name)},
      {"Type", std::string("exec")},
      {"ExecStartEx", std::vector<ExecCommand>{{plan.memguard, argv, {"no-env-expand"}}}},
      {"Restart", std::string("always")},
      {"RestartUSec", std::uint64_t{1'000'000}},
  };
  return spec;
}

}  // namespace pmctl::core
