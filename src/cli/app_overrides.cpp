#include "cli/app_overrides.hpp"

#include "core/fields/parse.hpp"
#include "core/model/names.hpp"
#include "core/text/log_line.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::cli {

void add_app_overrides(CLI::App& cmd, AppOverrides& o) {
  cmd.add_option("-n,--name", o.name, "Rename the app (it restarts under its new unit name)");
  cmd.add_option("--namespace", o.ns, "Move the app to this namespace");
  cmd.add_option("--interpreter-args,--node-args", o.interpreter_args,
                 "New arguments for the interpreter (null: none)");
  cmd.add_option("--max-memory-restart", o.max_memory, "New memory limit (200M, 1G): MemoryMax=");
  cmd.add_flag("--no-autorestart", o.no_autorestart, "Do not restart the app when it exits");
  cmd.add_option("--restart-delay", o.restart_delay, "New delay before an automatic restart");
  cmd.add_option("--exp-backoff-restart-delay", o.exp_backoff, "New exponential back-off");
  cmd.add_option("--max-restarts", o.max_restarts, "New unstable restarts before 'errored'");
  cmd.add_option("--min-uptime", o.min_uptime, "New shortest stable run");
  cmd.add_option("-k,--kill-timeout", o.kill_timeout, "New SIGINT-to-SIGKILL delay");
  cmd.add_option("--stop-exit-codes", o.stop_exit_codes, "New exit codes that do not restart");
  cmd.add_option("--listen-timeout", o.listen_timeout, "New --wait-ready timeout");
  cmd.add_option("--log-date-format", o.date_format, "New date prefix of the file lines");
  cmd.add_flag("--time", o.time, "Prefix file lines with YYYY-MM-DDTHH:mm:ss");
  cmd.add_option("--cron,--cron-restart", o.cron,
                 "New cron schedule of restarts (reloads for a cluster or pool); 0: none");
  cmd.add_flag("--watch", o.watch, "Turn watching on, or off if it is on (PM2's toggle)");
  cmd.add_option("--setenv", o.setenv, "Add KEY=VALUE to the app's environment (repeatable)");
}

void collect_given(const CLI::App& cmd, AppOverrides& o) {
  for (const CLI::Option* opt : cmd.get_options())
    if (opt->count() > 0 && opt->get_name() != "targets") o.given.insert(opt->get_name());
}

void apply_policy(const AppOverrides& o, core::RestartPolicy& p) {
  if (o.has("--no-autorestart")) p.autorestart = false;
  if (o.has("--restart-delay"))
    p.restart_delay_ms = core::parse_duration_ms(o.restart_delay, "--restart-delay");
  if (o.has("--exp-backoff-restart-delay"))
    p.exp_backoff_ms = core::parse_duration_ms(o.exp_backoff, "--exp-backoff-restart-delay");
  if (o.has("--max-restarts"))
    p.max_restarts =
        static_cast<std::uint32_t>(core::parse_count(o.max_restarts, "--max-restarts"));
  if (o.has("--min-uptime"))
    p.min_uptime_ms = core::parse_duration_ms(o.min_uptime, "--min-uptime");
  if (o.has("--kill-timeout"))
    p.kill_timeout_ms = core::parse_duration_ms(o.kill_timeout, "--kill-timeout");
  if (o.has("--stop-exit-codes"))
    p.stop_exit_codes = core::parse_exit_codes(o.stop_exit_codes, "--stop-exit-codes");
}

core::AppDecl apply_overrides(const AppOverrides& o, core::AppDecl decl) {
  if (o.has("--name")) {
    core::validate_app_name(o.name);
    decl.name = o.name;
  }
  if (o.has("--namespace")) {
    core::validate_namespace(o.ns);
    decl.ns = o.ns;
  }
  if (o.has("--interpreter-args"))
    decl.interpreter_args = o.interpreter_args == "null" ? std::vector<std::string>{}
                                                         : core::split_args(o.interpreter_args);
  if (o.has("--max-memory-restart"))
    decl.max_memory_bytes = core::parse_size_bytes(o.max_memory, "--max-memory-restart");
  apply_policy(o, decl.restart);
  if (o.has("--watch")) decl.watch.enabled = !decl.watch.enabled;
  if (o.has("--cron")) decl.cron_restart = core::parse_cron_pattern(o.cron, "--cron-restart");
  if (o.has("--listen-timeout"))
    decl.listen_timeout_ms = core::parse_duration_ms(o.listen_timeout, "--listen-timeout");
  if (o.has("--time")) decl.logs.date_format = core::kTimeFlagFormat;
  if (o.has("--log-date-format")) {
    if (o.date_format.empty())
      throw core::Error("--log-date-format needs a format", "for example 'YYYY-MM-DD HH:mm:ss Z'",
                        2);
    decl.logs.date_format = o.date_format;
  }
  for (const auto& item : o.setenv) {
    auto [key, value] = core::parse_assignment(item, "--setenv");
    decl.env[key] = value;
  }
  if (o.args) decl.args = *o.args;
  return decl;
}

/// The apps' declarations with the options of the command line applied, checked by core.
std::map<int, core::AppDecl> redeclared(Context& ctx, const std::vector<int>& ids,
                                        const AppOverrides& o) {
  const auto data = ctx.registry().load(core::Registry::Environments::Load);
  std::map<int, core::AppDecl> decls;
  for (int id : ids) decls[id] = apply_overrides(o, data.find(id)->decl);
  ctx.lifecycle().check_redeclare(decls);
  return decls;
}

}  // namespace pmctl::cli
