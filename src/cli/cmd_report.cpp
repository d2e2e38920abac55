// pmctl ping and pmctl report. There is no pmctl daemon: the manager (systemd) answers the ping,
// and the report says what a bug report needs (versions, which manager, where the state is, the
// apps, what failed lately and the failing apps' last lines).
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/pm2_json.hpp"
#include "core/cluster/cluster_probes.hpp"
#include "core/model/names.hpp"
#include "core/state/boot_state.hpp"
#include "core/text/date_format.hpp"
#include "core/text/inspect.hpp"
#include "pmctl_config.hpp"
#include "systemd/journal.hpp"

namespace pmctl::cli {
namespace {

constexpr std::size_t kReportLogLines = 20;  // PM2's report shows the daemon's last 20 lines

std::string manager_word(core::Scope scope) {
  return scope == core::Scope::User ? "user" : "system";
}

void ping(Context& ctx) {
  const std::string version = ctx.manager().version();
  std::cout << "{ msg: 'pong', manager: " << core::js_inspect(manager_word(ctx.scope()))
            << ", systemd: " << core::js_inspect(version) << " }\n";
}

/// What `where()` says, or why it cannot (a user manager without $XDG_RUNTIME_DIR).
std::string path_or_reason(const std::function<std::string()>& where) {
  try {
    return where();
  } catch (const std::exception& e) {
    return std::string("unknown (") + e.what() + ")";
  }
}

void heading(const std::string& title) {
  std::string line = "--- " + title + " ";
  if (line.size() < 79) line.append(79 - line.size(), '-');
  std::cout << line << "\n";
}

void row(const std::string& key, const std::string& value) {
  std::string k = key;
  if (k.size() < 21) k.append(21 - k.size(), ' ');
  std::cout << k << ": " << value << "\n";
}

std::string os_release() {
  std::ifstream in("/etc/os-release");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("PRETTY_NAME=")) continue;
    std::string v = line.substr(12);
    if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return "unknown";
}

void print_versions(Context& ctx) {
  heading("pmctl");
  row("pmctl version", PMCTL_VERSION);
  std::error_code ec;
  row("pmctl binary", std::filesystem::read_symlink("/proc/self/exe", ec).string());
  heading("manager");
  const core::Scope scope = ctx.scope();
  row("manager", scope == core::Scope::User
                     ? "user (systemd --user of uid " + std::to_string(getuid()) + ")"
                     : "system (PID 1)");
  row("systemd version", ctx.manager().version());
  row("registry dir", ctx.registry().dir().string());
  row("runtime dir", path_or_reason([&] { return core::default_runtime_dir(scope); }));
  row("runtime unit dir", path_or_reason([&] { return core::runtime_unit_dir(scope); }));
  row("saved unit dir", path_or_reason([&] { return core::persistent_unit_dir(scope); }));
  heading("host");
  utsname u{};
  uname(&u);
  row("kernel", std::string(u.sysname) + " " + u.release + " " + u.machine);
  row("os", os_release());
  row("uid", std::to_string(getuid()));
}

/// Each app in a few of jlist's fields, one line each.
void print_apps(const std::vector<core::AppView>& views) {
  heading("apps (" + std::to_string(views.size()) + ")");
  for (const auto& v : views) {
    nlohmann::ordered_json j;
    j["pm_id"] = v.record.id;
    j["name"] = v.record.decl.name;
    j["namespace"] = v.record.decl.ns;
    j["status"] = core::status_word(v);
    j["restart_time"] = v.restarts;
    j["pid"] = v.status == core::Status::Online ? v.state.main_pid : 0;
    j["exec_mode"] = std::string(core::exec_mode_of(v.record.decl)) + "_mode";
    j["unit"] = v.unit;
    if (v.state.loaded && !v.state.result.empty()) j["result"] = v.state.result;  // failed ones
    j["pm_exec_path"] = v.record.decl.script;
    std::cout << j.dump() << "\n";
  }
}

bool failing(const core::AppView& v) {
  return v.status == core::Status::Errored || v.status == core::Status::WaitingRestart ||
         v.state.active_state == "failed";
}

void print_failures(Context& ctx, const std::vector<core::AppView>& views) {
  heading("failed units");
  const auto units = ctx.manager().units_matching("pmctl*");
  std::size_t failed = 0;
  for (const auto& s : ctx.manager().query(units, false)) {
    if (s.active_state != "failed") continue;
    ++failed;
    std::cout << s.name << " failed (" << s.result << ")\n";
  }
  if (failed == 0) std::cout << "none\n";
  sd::Journal journal(ctx.scope());
  for (const auto& v : views) {
    if (!failing(v)) continue;
    heading("last " + std::to_string(kReportLogLines) + " lines of '" +
            core::printable(v.record.decl.name) + "' (id " + std::to_string(v.record.id) + ", " +
            core::status_word(v) + ")");
    sd::LogQuery q;
    q.units = {v.unit};
    for (const auto& line : journal.tail(q, kReportLogLines)) {
      const auto t =
          std::chrono::system_clock::time_point(std::chrono::microseconds(line.realtime_usec));
      std::cout << core::iso_utc(core::moment_of(t)) << (line.priority <= 3 ? " err " : " out ")
                << core::printable(line.message) << "\n";
    }
  }
}

void report(Context& ctx) {
  const std::string rule(79, '=');
  std::cout << rule << "\n";
  heading("pmctl report");
  row("date", core::iso_utc(core::moment_of(std::chrono::system_clock::now())));
  std::cout << rule << "\n";
  print_versions(ctx);
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  const auto views = ctx.lifecycle().views(data, data.ids());
  print_apps(views);
  print_failures(ctx, views);
  std::cout << rule << "\n";
}

}  // namespace

void register_report(CLI::App& app, Context& ctx) {
  CLI::App* p = app.add_subcommand(
      "ping", "Ask the service manager whether it answers (pmctl has no daemon of its own)");
  p->callback([&ctx] { ping(ctx); });
  CLI::App* r = app.add_subcommand(
      "report", "What a bug report needs: versions, manager, state paths, apps, recent failures");
  r->callback([&ctx] { report(ctx); });
}

}  // namespace pmctl::cli
