#include "cli/context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/error.hpp"
#include "core/interpreter.hpp"
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

core::Lifecycle& Context::lifecycle() {
  if (!lifecycle_) {
    core::Tools tools;
    const char* path = std::getenv("PATH");
    const std::string path_env = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
    if (auto cat = core::find_program("systemd-cat", path_env, "/")) tools.systemd_cat = *cat;
    lifecycle_ = std::make_unique<core::Lifecycle>(registry(), manager(), scope(), tools);
  }
  return *lifecycle_;
}

std::string Context::cwd() const { return std::filesystem::current_path().string(); }

}  // namespace pmctl::cli
