// pmctl-memguard: max_memory_restart for one app, the PM2 way. It runs as the app's companion
// unit (pmctl-<name>-mem.service, in the app's slice) and, every interval, reads the resident
// memory of each instance unit in that slice; an instance over the limit is restarted (a pool's
// or a cluster's reloaded) by running pmctl itself, the same transaction as a manual restart:
// SIGINT, kill_timeout, then SIGKILL. The kernel's MemoryMax= stays above the limit as a
// safety net (docs/usage.md, "Memory limits"). pmctl's unit mapping builds the command line:
//
//   pmctl-memguard --limit BYTES --pmctl /path/to/pmctl [--action restart|reload] [--user]
//                  [--interval-ms MS]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/base/resources.hpp"
#include "core/base/spawn.hpp"
#include "core/text/format.hpp"
#include "memguard/guard.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using pmctl::memguard::Instance;
using pmctl::memguard::Options;

/// After acting on an instance the guard leaves it alone this long: its new process settles, and a
/// restart that failed is not run again in a loop.
constexpr auto kPauseAfterAction = std::chrono::seconds(10);

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

void act_on(const Options& o, const Instance& i) {
  const auto argv = pmctl::core::pmctl_action_argv(o.pmctl, o.user, o.action, std::to_string(i.id));
  std::printf("%s holds %s (%s), over max_memory_restart %s: %s\n", i.unit.c_str(),
              pmctl::core::format_memory(i.bytes).c_str(),
              i.from_proc ? "RSS from /proc" : "cgroup memory.stat anon + file_mapped",
              pmctl::core::format_memory(o.limit_bytes).c_str(), join(argv).c_str());
  std::fflush(stdout);
  const int status = pmctl::core::run_and_wait(argv);
  if (status != 0) std::fprintf(stderr, "'%s' failed (exit %d)\n", join(argv).c_str(), status);
}

}  // namespace

int main(int argc, char** argv) {
  std::string why;
  const auto options = pmctl::memguard::parse_options({argv + 1, argv + argc}, why);
  if (!options) {
    std::fprintf(stderr,
                 "pmctl-memguard: %s\nusage: pmctl-memguard --limit BYTES --pmctl PATH "
                 "[--action restart|reload] [--user] [--interval-ms MS]\n",
                 why.c_str());
    return 2;
  }
  const std::string own = pmctl::core::process_cgroup(static_cast<std::uint32_t>(getpid()));
  const std::string slice = std::filesystem::path(own).parent_path().string();
  std::printf("checking the instances in %s every %llu ms against %s\n", slice.c_str(),
              static_cast<unsigned long long>(options->interval_ms),
              pmctl::core::format_memory(options->limit_bytes).c_str());
  std::fflush(stdout);
  std::map<int, Clock::time_point> not_before;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options->interval_ms));
    for (const Instance& i : pmctl::memguard::scan(slice)) {
      if (i.bytes <= options->limit_bytes) continue;
      const auto wait = not_before.find(i.id);
      if (wait != not_before.end() && Clock::now() < wait->second) continue;
      act_on(*options, i);
      not_before[i.id] = Clock::now() + kPauseAfterAction;
    }
  }
}
