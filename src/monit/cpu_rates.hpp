#pragma once
// monit's cpu column: the share of one CPU each app used between two frames, from the cgroup's
// cumulative usage_usec (not the average since the start that `ls` shows).

#include <cstdint>
#include <map>
#include <vector>

namespace pmctl::monit {

struct CpuSample {
  int id = 0;
  std::uint64_t started_usec = 0;  ///< When this run began (within 100 ms): a new run starts anew.
  std::uint64_t cpu_usec = 0;      ///< cpu.stat usage_usec of the app's cgroup.
};

class CpuRates {
 public:
  /// The rate of each app sampled now and in the previous call (same run), in percent of one
  /// CPU; an app seen for the first time, or restarted since, has none yet. `now_usec` is a
  /// monotonic clock.
  std::map<int, double> next(const std::vector<CpuSample>& samples, std::uint64_t now_usec);

 private:
  std::map<int, CpuSample> previous_;
  std::uint64_t previous_at_ = 0;
};

}  // namespace pmctl::monit
