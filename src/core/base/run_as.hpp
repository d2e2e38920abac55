#pragma once
// Running a program as another local user, with a login-like environment of its own: what
// `pmctl startup -u USER` needs to act in that user's manager the way the user would.

#include <map>
#include <string>
#include <vector>

#include "core/base/accounts.hpp"

namespace pmctl::core {

/// Runs `path` with `argv` as `user` (its groups, uid and gid), in `home`, with an environment
/// of PATH (the caller's), HOME=`home`, USER, LOGNAME, XDG_RUNTIME_DIR=/run/user/<uid>,
/// DBUS_SESSION_BUS_ADDRESS for that directory, and `extra`; its output goes where the caller's
/// goes. Returns its exit status (128 + N for a signal N); core::Error when it cannot be started.
int run_as(const Account& user, const std::string& home, const std::string& path,
           const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra);

/// The runtime directory of `uid`'s user manager (/run/user/<uid>).
std::string user_runtime_dir(unsigned uid);

}  // namespace pmctl::core
