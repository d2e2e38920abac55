#include "cli/errors.hpp"

#include <array>
#include <string_view>

namespace pmctl::cli {
namespace {

struct Entry {
  std::string_view name;
  std::string_view what;
  std::string_view hint;
  std::string_view user_hint = "";  ///< For a --user caller, where it differs.
};

constexpr std::array kTable{
    Entry{"org.freedesktop.DBus.Error.AccessDenied", "the service manager refused: access denied",
          "run as root or use --user", "your own user manager refused you: check $XDG_RUNTIME_DIR"},
    Entry{"org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
          "the service manager refused: authorization required", "run as root or use --user",
          "your own user manager refused you: check $XDG_RUNTIME_DIR"},
    Entry{"org.freedesktop.systemd1.NoSuchUnit", "no such unit in the service manager",
          "see 'pmctl ls'; the app may have been removed with systemctl"},
    Entry{"org.freedesktop.DBus.Error.NoReply", "the service manager did not answer in time",
          "check 'systemctl is-system-running'"},
    Entry{"org.freedesktop.DBus.Error.PropertyReadOnly", "the service manager refused a property",
          "this systemd is older than pmctl expects (needs 252 or later)"},
    Entry{"pmctl.JobFailed", "the app failed to start",
          "see 'pmctl logs <name> --nostream' or 'journalctl -u <unit>'"},
    Entry{"pmctl.Connect", "cannot reach the systemd manager",
          "is systemd running? for your own user manager use --user",
          "your user manager is not running: it runs while you are logged in, or from boot after "
          "'loginctl enable-linger <user>' as root; as root, leave out --user for the system "
          "manager"},
};

}  // namespace

Translated translate(const core::ManagerError& error, core::Scope scope) {
  for (const auto& entry : kTable) {
    if (entry.name != error.name()) continue;
    const bool user = scope == core::Scope::User && !entry.user_hint.empty();
    return {std::string(entry.what) + " (" + error.what() + ")",
            std::string(user ? entry.user_hint : entry.hint)};
  }
  return {std::string("the service manager failed: ") + error.what(), ""};
}

}  // namespace pmctl::cli
