#include "core/base/accounts.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

std::optional<unsigned> as_id(std::string_view text) {
  unsigned id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

/// Calls a getpw*_r / getgr*_r style `lookup(buf, size)` with a buffer that grows on ERANGE (a
/// group with many members does not fit the suggested size).
template <typename Lookup>
void with_buffer(Lookup lookup) {
  std::vector<char> buf(16384);
  while (lookup(buf.data(), buf.size()) == ERANGE && buf.size() < (std::size_t{1} << 24))
    buf.resize(buf.size() * 2);
}

}  // namespace

std::optional<Account> find_user(std::string_view user) {
  const std::string name(user);
  const auto uid = as_id(user);
  std::optional<Account> account;
  // The strings live in the buffer: copy them out before it goes.
  with_buffer([&](char* buf, std::size_t size) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    const int rc = uid ? ::getpwuid_r(*uid, &pw, buf, size, &found)
                       : ::getpwnam_r(name.c_str(), &pw, buf, size, &found);
    if (found) account = Account{found->pw_name, found->pw_dir, found->pw_uid, found->pw_gid};
    return rc;
  });
  return account;
}

bool group_exists(std::string_view group) {
  const std::string name(group);
  const auto gid = as_id(group);
  bool exists = false;
  with_buffer([&](char* buf, std::size_t size) {
    struct group gr {};
    struct group* found = nullptr;
    const int rc = gid ? ::getgrgid_r(*gid, &gr, buf, size, &found)
                       : ::getgrnam_r(name.c_str(), &gr, buf, size, &found);
    exists = found != nullptr;
    return rc;
  });
  return exists;
}

Account current_user() {
  const unsigned uid = geteuid();
  if (auto me = find_user(std::to_string(uid))) return *me;
  throw Error("cannot find your user name (uid " + std::to_string(uid) + ")");
}

}  // namespace pmctl::core
