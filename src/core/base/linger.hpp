#pragma once

#include <string>

namespace pmctl::core {

/// Where logind records lingering users: one empty file per user name.
inline constexpr const char* kLingerDir = "/var/lib/systemd/linger";

/// Whether `user_name` lingers (its user manager runs from boot, without a login): whether
/// /var/lib/systemd/linger/<user_name> exists. False for names that cannot be user names there
/// (empty, ".", "..", or containing '/').
bool user_lingers(const std::string& user_name);

}  // namespace pmctl::core
