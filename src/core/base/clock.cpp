#include "core/base/clock.hpp"

#include <chrono>
#include <fstream>

namespace pmctl::core {

std::uint64_t realtime_usec() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::uint64_t realtime_ms() { return realtime_usec() / 1000; }

const std::string& current_boot_id() {
  static const std::string id = [] {
    std::string text;
    std::ifstream("/proc/sys/kernel/random/boot_id") >> text;
    return text;
  }();
  return id;
}

}  // namespace pmctl::core
