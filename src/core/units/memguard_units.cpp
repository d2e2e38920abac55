#include "core/units/memguard_units.hpp"

#include "core/units/unit_names.hpp"

namespace pmctl::core {

std::string memguard_unit_name(std::string_view app_name) {
  return std::string(kUnitPrefix) + "-" + escape_unit_component(app_name) + "-mem.service";
}

std::string saved_memguard_unit_name(std::string_view app_name) {
  return std::string(kUnitPrefix) + "-" + escape_unit_component(app_name) + "-mem-s.service";
}

std::string_view memguard_action(const AppDecl& app) {
  return app.cluster.enabled ? "reload" : "restart";
}

UnitSpec memguard_unit(const AppDecl& app, const MemguardPlan& plan) {
  std::vector<std::string> argv = {plan.memguard,
                                   "--limit",
                                   std::to_string(app.max_memory_bytes),
                                   "--pmctl",
                                   plan.pmctl,
                                   "--action",
                                   std::string(memguard_action(app)),
                                   "--interval-ms",
                                   std::to_string(kMemguardIntervalMs)};
  if (plan.scope == Scope::User) argv.emplace_back("--user");
  UnitSpec spec{
      plan.saved ? saved_memguard_unit_name(app.name) : memguard_unit_name(app.name), {}, {}};
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
