#pragma once

#include <memory>

#include "core/types/manager.hpp"
#include "systemd/bus.hpp"

namespace pmctl::sd {

/// The sd-bus core::Manager over a connection already open; connect_manager() is this over
/// connect(). Lets tests drive the broker path (connect_broker) as root.
std::unique_ptr<core::Manager> make_manager(Connection connection);

}  // namespace pmctl::sd
