#pragma once

namespace pmctl::core {

/// Which systemd manager pmctl talks to, like `systemctl --system` / `systemctl --user`.
enum class Scope { System, User };

}  // namespace pmctl::core
