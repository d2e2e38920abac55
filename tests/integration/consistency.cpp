#include "consistency.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <utility>

#include "harness.hpp"

namespace pmctl::test {

/// The pmctl service units systemd runs (or is starting), balancers apart.
std::set<std::string> live_app_units() {
  const Result r =
      sh("systemctl list-units 'pmctl-*' --type=service --state=active,activating,reloading "
         "--plain --no-legend | awk '{print $1}'");
  std::set<std::string> units;
  std::istringstream lines(r.out);
  for (std::string unit; std::getline(lines, unit);)
    if (unit.find("-lb.service") == std::string::npos) units.insert(unit);
  return units;
}

/// The units of the registered instances that `pmctl jlist` says are up.
std::set<std::string> registered_up_units() {
  std::set<std::string> units;
  for (const auto& a : jlist()) {
    const std::string status = a["pm2_env"]["status"];
    if (status == "online" || status == "launching") units.insert(a["pm2_env"]["unit"]);
  }
  return units;
}

/// The apps' names and instance numbers appear once each.
void expect_no_duplicate() {
  std::set<std::pair<std::string, int>> seen;
  for (const auto& a : jlist()) {
    const auto key =
        std::make_pair(a["name"].get<std::string>(), a["pm2_env"]["NODE_APP_INSTANCE"].get<int>());
    EXPECT_TRUE(seen.insert(key).second) << "duplicate " << key.first << " #" << key.second;
  }
}

void expect_registry_equals_units() {
  // A crash-looping app may be between two runs: let systemd settle.
  EXPECT_TRUE(eventually([] { return live_app_units() == registered_up_units(); },
                         std::chrono::seconds(15)))
      << "systemd runs: " << ::testing::PrintToString(live_app_units())
      << "\npmctl lists up: " << ::testing::PrintToString(registered_up_units());
  expect_no_duplicate();
}

}  // namespace pmctl::test
