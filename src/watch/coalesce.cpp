#include "watch/coalesce.hpp"

#include <algorithm>

namespace pmctl::watch {

void Batch::add(Clock::time_point now, std::string_view path, std::size_t count) {
  if (count == 0) return;
  if (events == 0) {
    first = now;
    first_path = path;
  }
  last = now;
  events += count;
}

Clock::time_point fire_at(const Batch& batch, std::chrono::milliseconds delay) {
  const Clock::time_point settled =
      std::max(batch.first + std::max(delay, kQuiet), batch.last + kQuiet);
  return std::min(settled, batch.first + delay + kMaxExtraWait);
}

}  // namespace pmctl::watch
