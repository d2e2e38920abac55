#include "cli/app_env.hpp"

#include <array>
#include <string_view>

#include "core/units/mapping.hpp"

namespace pmctl::cli {
namespace {

/// Set by systemd for every service, or meaningful only to the calling shell.
constexpr std::array<std::string_view, 17> kNotInherited{"INVOCATION_ID",
                                                         "JOURNAL_STREAM",
                                                         "NOTIFY_SOCKET",
                                                         "LISTEN_FDS",
                                                         "LISTEN_PID",
                                                         "LISTEN_FDNAMES",
                                                         "WATCHDOG_PID",
                                                         "WATCHDOG_USEC",
                                                         "MAINPID",
                                                         "SYSTEMD_EXEC_PID",
                                                         "MANAGERPID",
                                                         "MONITOR_SERVICE_RESULT",
                                                         "SERVICE_RESULT",
                                                         "EXIT_CODE",
                                                         "EXIT_STATUS",
                                                         "OLDPWD",
                                                         "_"};

bool filtered(std::string_view name, const std::vector<std::string>& filters) {
  for (const auto& f : filters)
    if (name.find(f) != std::string_view::npos) return true;
  return set_by_systemd(name) || name == "SHLVL" || name == "PWD";
}

}  // namespace

bool set_by_systemd(std::string_view name) {
  for (auto skip : kNotInherited)
    if (name == skip) return true;
  return false;
}

std::map<std::string, std::string> inherited_env(char** environ_block,
                                                 const std::vector<std::string>& filters,
                                                 const std::string& cwd) {
  std::map<std::string, std::string> env;
  for (char** entry = environ_block; entry && *entry; ++entry) {
    std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    const std::string_view name = text.substr(0, eq);
    if (filtered(name, filters)) continue;
    env.emplace(std::string(name), std::string(text.substr(eq + 1)));
  }
  env["PWD"] = cwd;
  return env;
}

std::map<std::string, std::string> process_env(const core::AppRecord& rec) {
  core::InstanceContext instance;
  instance.id = rec.id;
  instance.instance = rec.instance;
  instance.endpoint = rec.endpoint;
  auto env = rec.decl.env;
  for (auto& [key, value] : core::injected_env(rec.decl, instance)) env[key] = value;
  return env;
}

}  // namespace pmctl::cli
