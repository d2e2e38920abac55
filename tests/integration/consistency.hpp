#pragma once
// Whether pmctl and systemd agree: what the race and kill tests check after the fact.

#include <set>
#include <string>

namespace pmctl::test {

/// The pmctl service units systemd runs (or is starting), balancers apart.
std::set<std::string> live_app_units();
/// The units of the registered instances that `pmctl jlist` says are up.
std::set<std::string> registered_up_units();
/// No app name and instance number appears twice in `pmctl jlist`.
void expect_no_duplicate();
/// `pmctl jlist` and `systemctl list-units 'pmctl-*'` name the same running units (waiting up
/// to 15 s for systemd to settle), and there is no duplicate.
void expect_registry_equals_units();

}  // namespace pmctl::test
