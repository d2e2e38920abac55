#include "core/state/boot_state.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "core/base/clock.hpp"
#include "core/state/dump.hpp"
#include "core/types/error.hpp"
#include "core/types/unique_fd.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// Creates the marker; false when it was there already or cannot be made. Every command comes
/// here: the usual case costs one failing open, the directory is made only when missing.
bool first_in_this_boot(const std::string& runtime_dir) {
  const fs::path marker = fs::path(runtime_dir) / "booted";
  const auto create = [&] {
    return open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  };
  UniqueFd fd(create());
  if (fd.get() < 0 && errno == ENOENT) {
    std::error_code ec;
    fs::create_directories(runtime_dir, ec);
    fd.reset(create());
  }
  return fd.get() >= 0;
}

}  // namespace

std::string persistent_unit_dir(Scope scope) {
  if (const auto dir = env("PMCTL_UNIT_DIR"); !dir.empty()) return dir;
  if (scope == Scope::System) return "/etc/systemd/system";
  if (const auto xdg = env("XDG_CONFIG_HOME"); !xdg.empty() && xdg.front() == '/')
    return xdg + "/systemd/user";
  std::string home = env("HOME");
  if (home.empty())
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) home = pw->pw_dir;
  if (home.empty())
    throw Error("cannot find your unit directory: $HOME is not set",
                "set $HOME or $XDG_CONFIG_HOME");
  return home + "/.config/systemd/user";
}

std::string boot_wanted_by(Scope scope) {
  return scope == Scope::User ? "default.target" : "multi-user.target";
}

bool boot_target_enabled(const std::string& unit_dir, Scope scope) {
  std::error_code ec;
  return fs::symlink_status(
             fs::path(unit_dir) / (boot_wanted_by(scope) + ".wants") / "pmctl.target", ec)
             .type() == fs::file_type::symlink;
}

bool adopt_boot_set(Registry& registry, const std::string& runtime_dir, const std::string& unit_dir,
                    Scope scope) {
  if (runtime_dir.empty() || !first_in_this_boot(runtime_dir)) return false;
  if (unit_dir.empty() || !boot_target_enabled(unit_dir, scope)) return false;
  const auto saved = read_dump_quietly(registry.dir());
  if (saved.empty()) return false;
  registry.update([&](RegistryData& d) {
    const RegistryData before = d;
    d.apps.clear();
    d.next_id = 0;
    for (const auto& app : saved) {
      AppRecord rec = app.record;
      rec.slot = Slot::Saved;
      rec.restarts = 0;
      rec.restarts_hidden = 0;
      rec.boot_id = app.stopped ? "" : current_boot_id();  // this boot starts it
      if (const AppRecord* old = before.find(rec.id); old && old->decl.name == rec.decl.name)
        rec.log_watermark_usec = old->log_watermark_usec;
      d.next_id = std::max(d.next_id, rec.id + 1);
      d.apps.push_back(std::move(rec));
    }
  });
  return true;
}

LeftByBoot left_by_boot(const std::vector<std::pair<const AppRecord*, Status>>& apps,
                        const std::string& boot_id, const std::string& state_dir) {
  std::vector<const AppRecord*> taken;
  for (const auto& [rec, status] : apps)
    if (status == Status::Stopped && !rec->boot_id.empty() && rec->boot_id != boot_id)
      taken.push_back(rec);
  LeftByBoot out;
  if (taken.empty()) return out;
  const auto saved = read_dump_quietly(state_dir);
  for (const AppRecord* rec : taken) {
    const bool in_dump = std::any_of(saved.begin(), saved.end(), [&](const BootApp& a) {
      return !a.stopped && a.record.id == rec->id && a.record.decl.name == rec->decl.name;
    });
    (in_dump ? out.saved : out.unsaved).push_back(rec->id);
  }
  return out;
}

}  // namespace pmctl::core
