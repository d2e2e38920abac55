#include "systemd/logind.hpp"

#include <cstdint>

#include "core/types/manager.hpp"
#include "systemd/bus.hpp"

namespace pmctl::sd {
namespace {

constexpr const char* kLogindService = "org.freedesktop.login1";
constexpr const char* kLogindPath = "/org/freedesktop/login1";
constexpr const char* kLogindManagerInterface = "org.freedesktop.login1.Manager";

}  // namespace

void set_user_linger(unsigned uid, bool enable) {
  // logind is reached only through the broker: it has no private socket.
  sd_bus* raw = nullptr;
  const int open_r = sd_bus_open_system(&raw);
  BusPtr bus(raw);
  if (open_r < 0) {
    BusError none;
    throw_if_failed(open_r, *none, "connecting to the system bus");
  }
  BusError error;
  const int r = sd_bus_call_method(bus.get(), kLogindService, kLogindPath, kLogindManagerInterface,
                                   "SetUserLinger", error.get(), nullptr, "ubb",
                                   static_cast<std::uint32_t>(uid), static_cast<int>(enable),
                                   0);  // interactive: no
  throw_if_failed(r, *error, "SetUserLinger");
}

}  // namespace pmctl::sd
