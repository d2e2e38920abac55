#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

/// A local user as the app will run: its name and home directory.
struct Account {
  std::string name;
  std::string home;
  unsigned uid = 0;
  unsigned gid = 0;
};

/// Looks a user up by name, or by uid when `user` is all digits (/etc/passwd, NSS).
std::optional<Account> find_user(std::string_view user);
/// The user this process runs as (its effective uid); core::Error when it has no passwd entry.
Account current_user();
/// Whether a group exists, by name or by gid when `group` is all digits.
bool group_exists(std::string_view group);

}  // namespace pmctl::core
