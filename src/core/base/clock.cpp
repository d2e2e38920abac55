#include "core/base/clock.hpp"

#include <chrono>

namespace pmctl::core {

std::uint64_t realtime_usec() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::uint64_t realtime_ms() { return realtime_usec() / 1000; }

}  // namespace pmctl::core
