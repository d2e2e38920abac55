#pragma once

namespace pmctl::sd {

/// logind's SetUserLinger(uid, enable, interactive=false) over the system bus
/// (org.freedesktop.login1, /org/freedesktop/login1, org.freedesktop.login1.Manager).
/// Throws core::ManagerError (name = the D-Bus error name, e.g.
/// org.freedesktop.DBus.Error.AccessDenied or ...InteractiveAuthorizationRequired) on failure.
void set_user_linger(unsigned uid, bool enable);

}  // namespace pmctl::sd
