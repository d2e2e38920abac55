#include "monit/cpu_rates.hpp"

namespace pmctl::monit {
namespace {

// A start time is the oldest process's start in clock ticks turned into wall-clock time, which
// moves by some microseconds from one reading to the next: a run is the same within 100 ms (a
// restart makes a new cgroup, whose usage starts again from 0 anyway).
bool same_run(const CpuSample& a, const CpuSample& b) {
  constexpr std::uint64_t kSlack = 100000;
  const std::uint64_t d = a.started_usec > b.started_usec ? a.started_usec - b.started_usec
                                                          : b.started_usec - a.started_usec;
  return d <= kSlack;
}

}  // namespace

std::map<int, double> CpuRates::next(const std::vector<CpuSample>& samples,
                                     std::uint64_t now_usec) {
  std::map<int, double> rates;
  const std::uint64_t elapsed = now_usec > previous_at_ ? now_usec - previous_at_ : 0;
  std::map<int, CpuSample> current;
  for (const CpuSample& s : samples) {
    current[s.id] = s;
    const auto it = previous_.find(s.id);
    if (it == previous_.end() || elapsed == 0) continue;
    const CpuSample& before = it->second;
    if (!same_run(before, s) || s.cpu_usec < before.cpu_usec) continue;
    rates[s.id] =
        100.0 * static_cast<double>(s.cpu_usec - before.cpu_usec) / static_cast<double>(elapsed);
  }
  previous_ = std::move(current);
  previous_at_ = now_usec;
  return rates;
}

}  // namespace pmctl::monit
