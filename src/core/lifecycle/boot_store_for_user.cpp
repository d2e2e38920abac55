// PM2's `startup -u USER --hp HOME`, the line PM2 tells its users to paste as root: USER's
// saved apps start at boot as USER. pmctl's apps of a user live in that user's manager (saved
// there by `pmctl save` as the user), so root turns lingering on for USER (the manager then
// starts at boot without a login) and runs `pmctl --user startup` as USER, who enables
// pmctl.target in their own manager exactly as they would by hand. `unstartup -u` undoes both.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/base/linger.hpp"
#include "core/base/on_failure.hpp"
#include "core/base/run_as.hpp"
#include "core/lifecycle/boot_store.hpp"
#include "core/state/registry.hpp"
#include "core/state/startup_record.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kManagerWait{15};

Account target_user(const std::string& name, const std::string& home) {
  const auto user = find_user(name);
  if (!user)
    throw Error("no user '" + name + "' on this system",
                "check the name ('getent passwd " + name + "')");
  Account out = *user;
  if (!home.empty()) {
    std::error_code ec;
    if (!fs::is_directory(home, ec))
      throw Error("--hp '" + home + "' is not a directory", "give " + name + "'s home directory");
    out.home = home;
  }
  return out;
}

}  // namespace

// The user's manager must run for `pmctl --user` to reach it: root starts it (logind does so
// too once lingering is on), then waits for its private socket.
void BootStore::start_user_manager(const Account& user) {
  const std::string unit = "user@" + std::to_string(user.uid) + ".service";
  deps_.manager.start(unit);
  const fs::path socket = fs::path(user_runtime_dir(user.uid)) / "systemd" / "private";
  const auto deadline = std::chrono::steady_clock::now() + kManagerWait;
  while (!fs::exists(socket)) {
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("the user manager of '" + user.name + "' did not start",
                  "see 'systemctl status " + unit + "'");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void BootStore::run_user_verb(const Account& user, const std::string& verb,
                              const std::string& linger) {
  const int status = run_as(user, user.home, deps_.tools().pmctl, {"pmctl", "--user", verb},
                            {{"PMCTL_LINGER_BY_CALLER", linger}});
  if (status != 0)
    throw Error("'pmctl --user " + verb + "' as '" + user.name + "' failed (exit " +
                    std::to_string(status) + ")",
                "the line above says why");
}

// The user `verb -u name` acts for, once the caller is known to be root.
Account BootStore::user_for(const std::string& verb, const std::string& name,
                            const std::string& home) {
  const Account user = target_user(name, home);
  const std::string command = verb + " -u " + name;
  check_root(command);
  if (geteuid() != 0)
    throw Error("'pmctl " + command + "' needs root", "run: sudo pmctl " + command);
  return user;
}

std::string BootStore::startup_for(const std::string& name, const std::string& home) {
  const Account user = user_for("startup", name, home);
  if (user.uid == 0) return startup();  // root's apps are the system manager's
  const bool turned_on = !user_lingers(user.name);
  if (turned_on) deps_.tools().set_linger(user.uid, true);
  const OnFailure undo([&] {
    if (turned_on) quietly([&] { deps_.tools().set_linger(user.uid, false); });
  });
  start_user_manager(user);
  run_user_verb(user, "startup", turned_on ? "turned-on" : "kept");
  return user.name;
}

std::string BootStore::unstartup_for(const std::string& name, const std::string& home) {
  const Account user = user_for("unstartup", name, home);
  if (user.uid == 0) return unstartup();
  // The user's record says whether startup turned lingering on; the user's unstartup removes it.
  // run_as gives that pmctl no $XDG_STATE_HOME, so its state is in user_state_dir.
  const StartupRecord record = read_startup_record(user_state_dir(user.home));
  start_user_manager(user);
  run_user_verb(user, "unstartup", "kept");
  if (!record.linger_enabled) return "";
  deps_.tools().set_linger(user.uid, false);
  return user.name;
}

}  // namespace pmctl::core
