#include "core/units/watch_units.hpp"

#include <filesystem>

#include "core/units/companion_units.hpp"

namespace pmctl::core {

std::string watch_path(const std::string& cwd, const std::string& path) {
  return (std::filesystem::path(cwd) / path).lexically_normal().string();
}

std::vector<std::string> watched_paths(const AppDecl& app) {
  if (!app.watch.paths.empty()) return app.watch.paths;
  return {app.cwd};
}

UnitSpec watch_unit(const AppDecl& app, const WatchPlan& plan, const std::string& unit) {
  std::vector<std::string> argv = {plan.watch,
                                   "--pmctl",
                                   plan.pmctl,
                                   "--name",
                                   app.name,
                                   "--action",
                                   std::string(restart_verb(app))};
  if (plan.scope == Scope::User) argv.emplace_back("--user");
  for (const auto& path : watched_paths(app)) {
    argv.emplace_back("--path");
    argv.push_back(path);
  }
  for (const auto& pattern : app.watch.ignore) {
    argv.emplace_back("--ignore");
    argv.push_back(pattern);
  }
  if (app.watch.delay_ms != 0) {
    argv.emplace_back("--delay-ms");
    argv.push_back(std::to_string(app.watch.delay_ms));
  }
  if (app.watch.follow_symlinks) argv.emplace_back("--follow-symlinks");
  return companion_service(app, unit, "pmctl watch of '" + app.name + "'", argv, "on-failure");
}

}  // namespace pmctl::core
