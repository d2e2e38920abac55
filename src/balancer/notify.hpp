#pragma once

#include <string_view>

namespace pmctl::balancer {

/// Sends `state` (e.g. "READY=1") to the service manager over $NOTIFY_SOCKET, as sd_notify(3)
/// does, without libsystemd. Returns 0 when sent or when there is no $NOTIFY_SOCKET, else -errno.
int notify(std::string_view state);

}  // namespace pmctl::balancer
