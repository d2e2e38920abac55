#include "core/units/memguard_units.hpp"

#include "core/units/companion_units.hpp"

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
  return companion_service(app, unit, "pmctl max_memory_restart of '" + app.name + "'", argv,
                           "always");
}

}  // namespace pmctl::core
