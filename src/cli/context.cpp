#include "cli/context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/error.hpp"
#include "core/interpreter.hpp"
#include "pmctl_config.hpp"
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

core::Registry& Context::registry() {
  if (!registry_) registry_ = std::make_unique<core::Registry>(core::default_state_dir(scope()));
  return *registry_;
}

core::Manager& Context::manager() {
  if (!manager_) manager_ = sd::connect_manager(scope());
  return *manager_;
}

namespace {

/// pmctl-logwriter beside this pmctl (a build tree, or a relocated install), else where
/// `meson install` puts it.
/// `file` next to the running pmctl (the build tree), else in `installed_dir`.
std::string beside_pmctl(const std::string& file, const std::string& installed_dir, int mode) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto sibling = self.parent_path() / file;
    if (access(sibling.c_str(), mode) == 0) return sibling.string();
  }
  return installed_dir + "/" + file;
}

}  // namespace

core::Lifecycle& Context::lifecycle() {
  if (!lifecycle_) {
    const auto find_tools = [] {
      core::Tools tools;
      const char* path = std::getenv("PATH");
      const std::string path_env = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
      if (auto cat = core::find_program("systemd-cat", path_env, "/")) tools.systemd_cat = *cat;
      tools.logwriter = beside_pmctl("pmctl-logwriter", PMCTL_LIBEXECDIR, X_OK);
      tools.node_preload = beside_pmctl("pmctl-preload.cjs", PMCTL_DATADIR, R_OK);
      return tools;
    };
    lifecycle_ = std::make_unique<core::Lifecycle>(registry(), manager(), scope(),
                                                   std::function<core::Tools()>(find_tools));
  }
  return *lifecycle_;
}

std::string Context::cwd() const { return std::filesystem::current_path().string(); }

}  // namespace pmctl::cli
