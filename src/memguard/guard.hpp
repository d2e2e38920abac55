#pragma once
// pmctl-memguard's parts: what it was told (Options), what it reads each round (the app's
// instances and their memory). What it runs when one is over the limit, and how, is
// core/base/spawn.hpp's, shared with pmctl-watch.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pmctl::memguard {

struct Options {
  std::uint64_t limit_bytes = 0;     ///< max_memory_restart
  std::string pmctl;                 ///< the pmctl binary the action runs
  std::string action = "restart";    ///< "restart" (fork mode) or "reload" (a pool or a cluster)
  bool user = false;                 ///< the app is under the user manager: pmctl --user
  std::uint64_t interval_ms = 1000;  ///< one round every interval
};

/// The options from argv, or nullopt with `why` set.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& why);

/// One instance of the app, as a round reads it.
struct Instance {
  std::string unit;
  int id = 0;
  std::uint64_t bytes = 0;
  bool from_proc = false;
};

/// The app's instances now: the instance units among the child cgroups of `slice_cgroup` (the
/// app's slice, the guard's parent), with their resident memory. Balancers, timers and other
/// companions are not instances (core's parse_service_unit_name says which names are).
std::vector<Instance> scan(const std::string& slice_cgroup);

}  // namespace pmctl::memguard
