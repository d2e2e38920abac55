#pragma once

#include <memory>

#include "core/types/manager.hpp"
#include "core/types/scope.hpp"

namespace pmctl::sd {

/// Connects to the system manager (/run/systemd/private, else the system bus) or to the
/// caller's user manager ($XDG_RUNTIME_DIR/systemd/private, falling back to /run/user/<uid>).
/// Throws core::ManagerError when neither can be reached.
std::unique_ptr<core::Manager> connect_manager(core::Scope scope);

}  // namespace pmctl::sd
