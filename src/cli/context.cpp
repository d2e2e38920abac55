#include "cli/context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "cli/output.hpp"
#include "cli/recovery_warnings.hpp"
#include "core/base/interpreter.hpp"
#include "core/cluster/cluster_probes.hpp"
#include "core/state/boot_state.hpp"
#include "core/types/error.hpp"
#include "pmctl_config.hpp"
#include "systemd/logind.hpp"
#include "systemd/sd_manager.hpp"

namespace pmctl::cli {

core::Scope Context::scope() const {
  if (options.user && options.system)
    throw core::Error("--user and --system cannot be combined", "pick one manager", 2);
  if (options.user) return core::Scope::User;
  if (options.system) return core::Scope::System;
  // Like systemctl: root talks to PID 1, anyone else to their own user manager.
  return geteuid() == 0 ? core::Scope::System : core::Scope::User;
}

namespace {

/// The first command after a boot of the manager: the registry takes the apps the boot started.
void adopt_boot(core::Registry& registry, core::Scope scope) {
  try {
    core::adopt_boot_set(registry, core::default_runtime_dir(scope),
                         core::persistent_unit_dir(scope), scope);
  } catch (const core::Error&) {
    // No runtime directory (a user without $XDG_RUNTIME_DIR) or no home: nothing was saved there.
  }
}

}  // namespace

core::Registry& Context::registry() {
  if (!registry_) {
    registry_ = std::make_unique<core::Registry>(core::default_state_dir(scope()));
    registry_->set_live(
        recovery_sources(*registry_, [this]() -> core::Manager& { return manager(); }));
    adopt_boot(*registry_, scope());
  }
  return *registry_;
}

core::Manager& Context::manager() {
  if (!manager_) manager_ = sd::connect_manager(scope());
  return *manager_;
}

std::string beside_pmctl(const std::string& file, const std::string& installed_dir, int mode,
                         const std::string& build_dir) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::vector<std::filesystem::path> dirs{self.parent_path()};
    if (!build_dir.empty()) dirs.push_back(self.parent_path().parent_path() / build_dir);
    for (const auto& dir : dirs) {
      const auto candidate = dir / file;
      if (access(candidate.c_str(), mode) == 0) return candidate.string();
    }
  }
  return installed_dir + "/" + file;
}

core::Lifecycle& Context::lifecycle() {
  if (!lifecycle_) {
    const core::Scope manager_scope = scope();
    const auto find_tools = [manager_scope] {
      core::Tools tools;
      const char* path = std::getenv("PATH");
      const std::string path_env = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
      if (auto cat = core::find_program("systemd-cat", path_env, "/")) tools.systemd_cat = *cat;
      tools.logwriter = beside_pmctl("pmctl-logwriter", PMCTL_LIBEXECDIR, X_OK);
      tools.node_preload = beside_pmctl("pmctl-preload.cjs", PMCTL_DATADIR, R_OK);
      tools.balancer = beside_pmctl("pmctl-balancer", PMCTL_LIBEXECDIR, X_OK, "balancer");
      tools.memguard = beside_pmctl("pmctl-memguard", PMCTL_LIBEXECDIR, X_OK);
      tools.watch = beside_pmctl("pmctl-watch", PMCTL_LIBEXECDIR, X_OK);
      try {
        tools.runtime_dir = core::default_runtime_dir(manager_scope);
      } catch (const core::Error&) {
        tools.runtime_dir.clear();  // only cluster mode needs it, and says so
      }
      try {
        tools.boot_unit_dir = core::persistent_unit_dir(manager_scope);
      } catch (const core::Error&) {
        tools.boot_unit_dir.clear();  // save and resurrect say so
      }
      try {
        tools.unit_dir = core::runtime_unit_dir(manager_scope);
      } catch (const core::Error&) {
        tools.unit_dir.clear();  // only shared mode needs it, and says so
      }
      if (manager_scope == core::Scope::System) tools.exported_units_dir = "/run/systemd/units";
      tools.set_linger = [](unsigned uid, bool on) { sd::set_user_linger(uid, on); };
      return tools;
    };
    lifecycle_ = std::make_unique<core::Lifecycle>(registry(), manager(), scope(),
                                                   std::function<core::Tools()>(find_tools));
  }
  return *lifecycle_;
}

void Context::begin_transaction(const std::string& command_line) {
  if (transaction_) return;
  core::LockWait wait;
  wait.give_up = core::lock_timeout_from_env(wait.give_up);
  wait.notice = [](const std::string& holder) {
    warn("waiting for the command running now to finish (" + holder + ")");
  };
  const std::string what = "pid " + std::to_string(getpid()) + ": " + command_line;
  transaction_.emplace(core::CommandLock::acquire(core::default_state_dir(scope()), what, wait));
}

std::string Context::cwd() const { return std::filesystem::current_path().string(); }

}  // namespace pmctl::cli
