// pmctl ls|jlist|show: the registry joined with what systemd says right now.
#include <algorithm>
#include <ctime>
#include <exception>
#include <future>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <tuple>

#include "cli/commands.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "cli/pm2_json.hpp"
#include "cli/versioning.hpp"
#include "core/base/clock.hpp"
#include "core/base/utf8.hpp"
#include "core/cluster/cluster.hpp"
#include "core/model/names.hpp"
#include "core/model/selectors.hpp"
#include "core/state/boot_state.hpp"
#include "core/text/format.hpp"
#include "core/text/inspect.hpp"
#include "core/types/error.hpp"
#include "core/units/cron_calendar.hpp"
#include "core/units/log_mapping.hpp"
#include "core/units/mapping.hpp"
#include "core/units/memguard_units.hpp"
#include "core/units/unit_names.hpp"
#include "core/units/watch_units.hpp"

namespace pmctl::cli {
namespace {

std::string painted_status(const core::AppView& v) {
  const std::string text = core::status_word(v);
  if (v.incomplete) return red(text);
  if (v.status == core::Status::Online) return green(text);
  if (v.status == core::Status::Launching) return blue(text);
  return red(text);
}

/// "pmctl", with the manager flag the caller gave: a hint's command must reach the same apps.
std::string pmctl_command(const Context& ctx) {
  return ctx.options.user ? "pmctl --user" : ctx.options.system ? "pmctl --system" : "pmctl";
}

/// Under the table: which apps a killed command left half-made, and what completes them.
void say_incomplete(const std::vector<core::AppView>& views, const Context& ctx) {
  std::set<std::string> names;
  for (const auto& v : views)
    if (v.incomplete) names.insert(v.record.decl.name);
  for (const auto& name : names)
    warn("'" + name + "' is incomplete: a pmctl command changing it was killed half-way; " + "'" +
         pmctl_command(ctx) + " start " + name + "' completes it");
}

/// PM2's watching column: the app watches, and it runs (a stopped app's watcher stops with it).
bool watching(const core::AppView& v) {
  return v.record.decl.watch.enabled && v.status != core::Status::Stopped;
}

// Names and namespaces are checked words, but a registry from before the checks may hold any
// text: a control character in a cell is shown escaped, so it cannot draw a row of its own.
std::vector<std::string> table_row(const core::AppView& v, const std::string& user) {
  const bool online = v.status == core::Status::Online;
  const std::string name = core::printable(v.record.decl.name);
  return {std::to_string(v.record.id),
          std::string(core::truncate_to_width(name, 40)),
          core::printable(v.record.decl.ns),
          package_version(v.record.decl),
          std::string(core::exec_mode_of(v.record.decl)),
          v.state.main_pid ? std::to_string(v.state.main_pid) : "0",
          online ? core::format_uptime(v.uptime_ms) : "0",
          std::to_string(v.restarts),
          painted_status(v),
          core::format_cpu(v.cpu_percent),
          core::format_memory(v.memory_bytes),
          v.record.decl.user.empty() ? user : v.record.decl.user,
          watching(v) ? "enabled" : grey("disabled")};
}

std::string iso_time(std::uint64_t ms) {
  if (ms == 0) return "N/A";
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03uZ", buf, static_cast<unsigned>(ms % 1000));
  return out;
}

std::string shell_quote(const std::string& s) { return "'" + s + "'"; }

std::string last_exit(const core::UnitState& s) {
  if (!s.loaded || s.exec_main_code == 0) return "N/A";
  if (s.exec_main_code == 1) return "exit code " + std::to_string(s.exec_main_status);
  return "killed by signal " + std::to_string(s.exec_main_status);
}

std::string memory_text(const core::AppView& v) {
  if (v.status != core::Status::Online) return "N/A";
  std::string text = core::format_memory(v.memory_bytes);
  if (v.memory_from_proc)
    text += " (RSS from /proc: this cgroup has no memory controller)";
  else
    text += " (cgroup memory.current)";
  return text;
}

std::string or_journal(const std::string& path) {
  return path.empty() ? "none (the journal)" : path;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out.empty() ? "N/A" : out;
}

std::string unit_state_text(const core::UnitState& s) {
  if (!s.loaded) return "inactive (not loaded)";
  return s.active_state + " (" + s.sub_state + ")";
}

/// A cluster instance's own endpoint, and the app's balancer, live. Shared mode has neither a
/// private endpoint nor a balancer process: the socket unit and its holder service instead.
std::vector<std::vector<std::string>> pool_rows(const core::AppView& v) {
  const auto& d = v.record.decl;
  return {
      {"instances", std::to_string(d.cluster.instances) + " (a pool: no public port, no balancer)"},
      {"instance", d.instance_var + "=" + std::to_string(v.record.instance)}};
}

std::vector<std::vector<std::string>> cluster_rows(const core::AppView& v, Context& ctx) {
  const auto& c = v.record.decl.cluster;
  const core::BalancerView b = ctx.lifecycle().balancer_view(v.record.decl);
  const std::string user_flag = ctx.scope() == core::Scope::User ? " --user" : "";
  std::vector<std::vector<std::string>> rows = {
      {"instances", std::to_string(c.instances)},
      {"instance", v.record.decl.instance_var + "=" + std::to_string(v.record.instance)},
      {"load balancing", b.shared ? "shared: every instance accepts on the public socket (fd 3)"
                                  : "proxy: pmctl-balancer in front of the instances"}};
  if (b.shared) {
    rows.push_back({"public port", b.listen + " (PORT=" + std::to_string(c.public_port) + ")"});
    rows.push_back({"public socket", b.socket_unit + ": " + unit_state_text(b.socket)});
    rows.push_back({"socket holder", b.service_unit + ": " + unit_state_text(b.service)});
  } else {
    rows.push_back({"private endpoint",
                    v.record.endpoint + " (PORT=" + core::port_env_value(v.record.endpoint) + ")"});
    rows.push_back({"public port", b.listen});
    rows.push_back({"balancer socket", b.socket_unit + ": " + unit_state_text(b.socket)});
    rows.push_back({"balancer service", b.service_unit + ": " + unit_state_text(b.service)});
    rows.push_back(
        {"balancer pid", b.service.main_pid ? std::to_string(b.service.main_pid) : "N/A"});
    rows.push_back({"balancer policy", b.policy});
    rows.push_back({"backend file", b.backends_file});
  }
  rows.push_back({"balancer status", "systemctl" + user_flag + " status " +
                                         shell_quote(b.socket_unit) + " " +
                                         shell_quote(b.service_unit)});
  return rows;
}

// The unit of an instance changes (its -b twin after a reload, its saved -s unit after a boot);
// the app's slice and the instance's pair of patterns do not (docs/usage.md, "Stable handles").
std::vector<std::vector<std::string>> stable_rows(const core::AppView& v, core::Scope scope) {
  const std::string flag = scope == core::Scope::User ? " --user" : "";
  const std::string unit_flag = scope == core::Scope::User ? "--user-unit " : "-u ";
  const std::string journal = "journalctl " + unit_flag;
  const std::string slice = shell_quote(core::app_slice_name(v.record.decl.name));
  const std::string first = core::service_unit_name(v.record.decl.name, v.record.id);
  const std::string base = first.substr(0, first.size() - std::string_view(".service").size());
  // Both patterns ([.] too): systemctl status names a pattern's loaded units and complains of
  // nothing, where a plain name that is not loaded now would be "could not be found".
  const std::string a = shell_quote(base + "[.]service");
  const std::string b = shell_quote(base + "-[bs].service");
  return {{"app, stable", "systemctl" + flag + " status|stop|restart " + slice},
          {"app logs, stable", journal + slice},
          {"instance, stable", "systemctl" + flag + " status " + a + " " + b},
          {"instance logs, stable", journal + a + " " + unit_flag + b}};
}

/// An app a reboot took (`ls` says so under its table): what brings it back.
std::optional<std::vector<std::string>> reboot_row(const core::AppView& v, Context& ctx) {
  const auto left =
      core::left_by_boot({{&v.record, v.status}}, core::current_boot_id(), ctx.registry().dir());
  if (left.empty()) return std::nullopt;
  const std::string pmctl = pmctl_command(ctx);
  if (!left.saved.empty())
    return std::vector<std::string>{"after reboot",
                                    "did not come back after the reboot: saved, but startup was "
                                    "not run; '" +
                                        pmctl + " resurrect' starts it"};
  return std::vector<std::string>{
      "after reboot", "did not come back after the reboot: not saved; '" + pmctl + " start " +
                          std::to_string(v.record.id) + "' starts it"};
}

/// max_memory_restart: the limit, its guard, and how this host enforces it.
std::vector<std::vector<std::string>> memory_rows(const core::AppView& v,
                                                  const core::CompanionView& guard, Context& ctx) {
  const std::uint64_t limit = v.record.decl.max_memory_bytes;
  const std::string every = std::to_string(core::kMemguardIntervalMs / 1000) + " s";
  const bool running = guard.state.active_state == "active";
  return {{"max memory restart", core::format_memory(limit) + " (" + guard.unit + ": " +
                                     (running ? "checks every " + every : "not running") + ")"},
          {"memory limit enforced",
           ctx.lifecycle().memory_controller()
               ? "by the guard (cgroup memory.stat), kernel cap MemoryMax=" +
                     core::format_memory(core::kernel_memory_cap(limit))
               : "by the guard alone (RSS from /proc): no memory controller on this host, "
                 "so no kernel cap"}};
}

/// watch: what is watched, what is ignored, and the watcher's unit.
std::vector<std::vector<std::string>> watch_rows(const core::AppView& v,
                                                 const core::CompanionView& watcher) {
  const core::WatchSettings& w = v.record.decl.watch;
  std::string paths, ignored;
  for (const auto& p : core::watched_paths(v.record.decl)) paths += (paths.empty() ? "" : ", ") + p;
  for (const auto& p : w.ignore) ignored += (ignored.empty() ? "" : ", ") + p;
  return {{"watch", paths + (w.follow_symlinks ? "" : " (symlinks not followed)")},
          {"ignore watch", ignored.empty() ? "dotfiles and node_modules (PM2's default)" : ignored},
          {"watch delay", std::to_string(w.delay_ms) + " ms"},
          {"watcher", watcher.unit + ": " + unit_state_text(watcher.state)}};
}

/// The app's companion units, live: cron_restart's schedule, its timer, and the next restart as
/// systemd computes it (the timer's NextElapseUSecRealtime).
std::vector<std::vector<std::string>> companion_rows(const core::AppView& v, Context& ctx) {
  const std::string user_flag = ctx.scope() == core::Scope::User ? " --user" : "";
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : ctx.lifecycle().companion_views(v.record.decl)) {
    switch (c.kind) {
      case core::CompanionKind::Cron: {
        std::string calendar;
        for (const auto& e : core::cron_to_calendar(v.record.decl.cron_restart))
          calendar += (calendar.empty() ? "" : " | ") + e;
        const std::uint64_t next = c.state.next_elapse_usec;
        rows.push_back({"cron restart", v.record.decl.cron_restart});
        rows.push_back({"cron calendar", calendar});
        rows.push_back({"cron timer", c.unit + ": " + unit_state_text(c.state)});
        // 0 or infinity: its service runs right now (systemd computes the next elapse when
        // it ends), or the timer is not loaded.
        const bool known = next != 0 && next != std::numeric_limits<std::uint64_t>::max();
        rows.push_back({"next cron restart", known ? iso_time(next / 1000) : "N/A"});
        rows.push_back(
            {"cron status", "systemctl" + user_flag + " list-timers " + shell_quote(c.unit)});
        break;
      }
      case core::CompanionKind::Mem:
        for (auto& row : memory_rows(v, c, ctx)) rows.push_back(std::move(row));
        break;
      case core::CompanionKind::Watch:
        for (auto& row : watch_rows(v, c)) rows.push_back(std::move(row));
        break;
    }
  }
  return rows;
}

void print_description(const core::AppView& v, Context& ctx) {
  const core::Scope scope = ctx.scope();
  const auto& d = v.record.decl;
  const std::string user_flag = scope == core::Scope::User ? " --user" : "";
  const std::string journal =
      scope == core::Scope::User ? "journalctl --user-unit " : "journalctl -u ";
  const core::LogTargets files = core::log_targets(d.logs, v.record.id);
  std::cout << " Describing process with id " << v.record.id << " - name " << bold(d.name) << "\n";
  Table t;
  t.header = {"key", "value"};
  t.rows = {
      {"status", painted_status(v)},
      {"name", core::printable(d.name)},
      {"namespace", core::printable(d.ns)},
      {"version", package_version(d)},
      {"restarts", std::to_string(v.restarts)},
      {"uptime", v.status == core::Status::Online ? core::format_uptime(v.uptime_ms) : "0"},
      {"script path", d.script},
      {"script args", join(d.args)},
      {"interpreter",
       d.command_string ? "/bin/sh -c" : (d.interpreter.empty() ? "none" : d.interpreter)},
      {"interpreter args", join(d.interpreter_args)},
      {"script id", std::to_string(v.record.id)},
      {"exec cwd", d.cwd},
      {"exec mode", std::string(core::exec_mode_of(d)) + "_mode"},
      {"pid", v.state.main_pid ? std::to_string(v.state.main_pid) : "N/A"},
      {"memory", memory_text(v)},
      {"autorestart", d.restart.autorestart ? "yes" : "no"},
      {"kill timeout", std::to_string(d.restart.kill_timeout_ms) + " ms (SIGINT, then SIGKILL)"},
      {"last exit", last_exit(v.state)},
      {"systemd result", v.state.loaded ? v.state.result : "N/A (unit not loaded)"},
      {"out log path", or_journal(files.out)},
      {"error log path", or_journal(files.err)},
      {"entire log path", or_journal(files.log)},
      {"pid path", files.pid.empty() ? "none" : files.pid},
      {"created at", iso_time(v.record.created_at_ms)},
      {"unit", v.unit},
      {"slice", core::app_slice_name(d.name)},
      {"systemctl", "systemctl" + user_flag + " status " + shell_quote(v.unit)},
      {"journalctl", journal + shell_quote(v.unit)}};
  for (auto& row : companion_rows(v, ctx)) t.rows.push_back(std::move(row));
  for (auto& row : stable_rows(v, scope)) t.rows.push_back(std::move(row));
  if (auto row = reboot_row(v, ctx)) t.rows.push_back(std::move(*row));
  if (d.cluster.balanced())
    for (auto& row : cluster_rows(v, ctx)) t.rows.push_back(std::move(row));
  else if (d.cluster.enabled)
    for (auto& row : pool_rows(v)) t.rows.push_back(std::move(row));
  std::cout << t.render();
  // PM2's second table: the git checkout the app runs from.
  Table git;
  git.header = {"Revision control metadata", ""};
  git.rows = versioning_rows(app_checkout(d));
  if (!git.rows.empty()) std::cout << git.render();
}

/// PM2's order: by name, then id. Sorts pointers: an AppView is a whole record, and moving 50
/// of them around cost more than drawing the table.
std::vector<const core::AppView*> by_name(const std::vector<core::AppView>& views) {
  std::vector<const core::AppView*> out;
  for (const auto& v : views) out.push_back(&v);
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    if (a->record.decl.name != b->record.decl.name)
      return a->record.decl.name < b->record.decl.name;
    return a->record.id < b->record.id;
  });
  return out;
}

/// PM2's --sort: by name (then id) unless another field is asked for; ties keep that order.
std::vector<const core::AppView*> sorted(const std::vector<core::AppView>& views,
                                         const ListStyle& style) {
  auto out = by_name(views);
  const std::string& f = style.sort;
  const auto key = [&](const core::AppView* v) -> std::tuple<std::string, double> {
    if (f == "namespace") return {v->record.decl.ns, 0};
    if (f == "id") return {"", v->record.id};
    if (f == "pid") return {"", static_cast<double>(v->state.main_pid)};
    if (f == "cpu") return {"", v->cpu_percent};
    if (f == "memory") return {"", static_cast<double>(v->memory_bytes)};
    if (f == "uptime") return {"", static_cast<double>(v->uptime_ms)};
    if (f == "status") return {core::status_word(*v), 0};
    return {v->record.decl.name, 0};
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto* a, const auto* b) { return key(a) < key(b); });
  if (style.descending) std::reverse(out.begin(), out.end());
  return out;
}

/// PM2's -m: one block per app.
void print_mini(const std::vector<const core::AppView*>& views) {
  for (const auto* v : views) {
    const auto& d = v->record.decl;
    const core::LogTargets files = core::log_targets(d.logs, v->record.id);
    std::cout << "+--- " << core::printable(d.name) << "\n"
              << "namespace : " << core::printable(d.ns) << "\n"
              << "version : " << package_version(d) << "\n"
              << "pid : " << v->state.main_pid << "\n"
              << "pm2 id : " << v->record.id << "\n"
              << "status : " << core::status_word(*v) << "\n"
              << "mode : " << core::exec_mode_of(d) << "_mode\n"
              << "restarted : " << v->restarts << "\n"
              << "uptime : "
              << (v->status == core::Status::Online ? core::format_uptime(v->uptime_ms) : "0")
              << "\n"
              << "memory usage : " << core::format_memory(v->memory_bytes) << "\n"
              << "error log : " << (files.err.empty() ? "journal" : files.err) << "\n"
              << "watching : " << (watching(*v) ? "yes" : "no") << "\n"
              << "PID file : " << (files.pid.empty() ? "none" : files.pid) << "\n\n";
  }
}

}  // namespace

namespace {

std::string id_list(const std::vector<int>& ids, const char* separator) {
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : separator) + std::to_string(id);
  return out;
}

std::string apps_with_ids(const std::vector<int>& ids) {
  return std::to_string(ids.size()) + (ids.size() == 1 ? " app (id " : " apps (ids ") +
         id_list(ids, ", ") + ")";
}

/// Under the table: the apps a reboot took, and the command that brings each kind back.
void print_left_by_boot(const std::vector<core::AppView>& views, Context& ctx) {
  std::vector<std::pair<const core::AppRecord*, core::Status>> apps;
  for (const auto& v : views) apps.emplace_back(&v.record, v.status);
  const auto left = core::left_by_boot(apps, core::current_boot_id(), ctx.registry().dir());
  const std::string pmctl = pmctl_command(ctx);
  const auto it_they = [](const std::vector<int>& ids) {
    return std::pair<std::string, std::string>(ids.size() == 1 ? "it was" : "they were",
                                               ids.size() == 1 ? "it" : "them");
  };
  if (!left.unsaved.empty()) {
    const auto [was, them] = it_they(left.unsaved);
    say(apps_with_ids(left.unsaved) + " did not come back after the reboot: " + was +
        " not saved. Start " + them + " with '" + pmctl + " start " + id_list(left.unsaved, " ") +
        "'; '" + pmctl + " save' and '" + pmctl + " startup' bring apps back at every boot");
  }
  if (!left.saved.empty()) {
    const auto [was, them] = it_they(left.saved);
    say(apps_with_ids(left.saved) + " did not come back after the reboot: " + was +
        " saved, but startup was not run. Start " + them + " with '" + pmctl + " resurrect'; '" +
        pmctl + " startup' brings saved apps back at every boot");
  }
}

ListStyle parse_sort(const std::string& text, bool mini) {
  static const std::set<std::string> fields = {"name", "namespace", "id",     "pid",
                                               "cpu",  "memory",    "uptime", "status"};
  ListStyle style;
  style.mini = mini;
  const auto colon = text.find(':');
  style.sort = text.substr(0, colon);
  const std::string order = colon == std::string::npos ? "asc" : text.substr(colon + 1);
  if (!fields.contains(style.sort) || (order != "asc" && order != "desc"))
    throw core::Error("--sort '" + core::printable(text) + "' is not a field to sort by",
                      "name, namespace, id, pid, cpu, memory, uptime or status, then :asc or "
                      ":desc (e.g. --sort memory:desc)",
                      2);
  style.descending = order == "desc";
  return style;
}

}  // namespace

void print_process_table(Context& ctx, std::vector<core::AppView> views) {
  if (silent()) return;
  const auto order = sorted(views, ctx.list_style);
  if (ctx.list_style.mini) {
    print_mini(order);
  } else {
    const std::string user = app_user();
    Table t;
    t.header = {"id", "name",   "namespace", "version", "mode", "pid",     "uptime",
                "↺",  "status", "cpu",       "mem",     "user", "watching"};
    for (const auto* v : order) t.rows.push_back(table_row(*v, user));
    std::cout << t.render();
  }
  say_incomplete(views, ctx);
  print_left_by_boot(views, ctx);
}

/// PM2's jlist array. It shows each app's environment (pm2_env.env), so those are loaded.
static nlohmann::json pm2_list_json(Context& ctx) {
  nlohmann::json out = nlohmann::json::array();
  const std::string user = app_user();
  const auto data = ctx.registry().load(core::Registry::Environments::Load);
  if (!data.apps.empty())
    for (const auto& v : ctx.lifecycle().views(data, data.ids()))
      out.push_back(pm2_process_json(v, user));
  return out;
}

void print_process_table(Context& ctx) {
  // Connecting first sends the authentication: the manager handles it while the registry is
  // read. An empty list needs no manager, so, like jlist's [], its table does not fail for want
  // of one (a user without a user manager); with apps, both fail with the manager's error.
  std::exception_ptr unreachable;
  try {
    ctx.lifecycle();
  } catch (const std::exception&) {
    unreachable = std::current_exception();
  }
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  if (data.apps.empty()) return print_process_table(ctx, {});
  if (unreachable) std::rethrow_exception(unreachable);
  print_process_table(ctx, ctx.lifecycle().views(data, data.ids()));
}

void register_list(CLI::App& app, Context& ctx) {
  CLI::App* ls = app.add_subcommand("list", "List apps with their live state (PM2's table)");
  for (const char* alias : {"ls", "status", "l", "ps"}) ls->alias(alias);
  auto sort = std::make_shared<std::string>();
  ls->add_option("--sort", *sort,
                 "name|namespace|id|pid|cpu|memory|uptime|status, then :asc or :desc (PM2's)");
  ls->add_flag("-m,--mini-list", ctx.list_style.mini, "One block per app (PM2's -m)");
  ls->callback([&ctx, sort] {
    if (!sort->empty()) ctx.list_style = parse_sort(*sort, ctx.list_style.mini);
    print_process_table(ctx);
  });

  CLI::App* jlist = app.add_subcommand("jlist", "List apps as JSON, in PM2's jlist shape");
  jlist->callback([&ctx] { std::cout << pm2_list_json(ctx).dump() << "\n"; });
  CLI::App* pretty =
      app.add_subcommand("prettylist", "jlist as Node's util.inspect prints it (PM2's prettylist)");
  pretty->callback([&ctx] { std::cout << core::js_inspect(pm2_list_json(ctx)) << "\n"; });

  auto target = std::make_shared<std::string>();
  CLI::App* show = app.add_subcommand("show", "Describe one app: settings, live state, its unit");
  for (const char* alias : {"describe", "info", "desc"}) show->alias(alias);
  show->add_option("target", *target, "name or id")->required();
  show->callback([&ctx, target] {
    const auto data = ctx.registry().load(core::Registry::Environments::Skip);
    const auto ids = core::resolve_exact(data, *target);
    for (const auto& v : ctx.lifecycle().views(data, ids)) print_description(v, ctx);
  });
}

}  // namespace pmctl::cli
