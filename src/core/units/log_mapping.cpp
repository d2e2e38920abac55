#include "core/units/log_mapping.hpp"

#include <cctype>

namespace pmctl::core {
namespace {

// Writes the main PID without a newline (as PM2 does) once the app is started, creating the
// directory. no-env-expand: $MAINPID and $1 are the shell's to expand; systemd sets MAINPID in
// the environment of ExecStartPost and ExecStopPost. PATH is only appended to, as for back-off.
constexpr const char* kWritePid =
    "PATH=\"$PATH:/usr/bin:/bin\"; [ -n \"$MAINPID\" ] || exit 0; d=${1%/*}; "
    "[ -z \"$d\" ] || mkdir -p -- \"$d\"; printf %s \"$MAINPID\" > \"$1\"";
constexpr const char* kRemovePid = "PATH=\"$PATH:/usr/bin:/bin\"; exec rm -f -- \"$1\"";

std::string file_of(const std::string& declared, bool suffix, int id) {
  if (declared.empty() || is_discard_path(declared)) return "";
  return suffix ? with_id_suffix(declared, id) : declared;
}

void append(std::vector<std::string>& argv, const char* option, const std::string& value) {
  if (value.empty()) return;
  argv.push_back(option);
  argv.push_back(value);
}

// pmctl-logwriter stays between systemd-cat and the app: it forks, the app gets the unit's
// main PID, and the writer copies every line to the journal streams systemd-cat opened as well
// as to the files.
std::vector<std::string> writer_argv(const AppDecl& app, const InstanceContext& ctx,
                                     const LogTargets& t) {
  std::vector<std::string> argv = {ctx.logwriter};
  append(argv, "--out", t.out);
  append(argv, "--err", t.err);
  append(argv, "--log", t.log);
  append(argv, "--date-format", app.logs.date_format);
  if (app.logs.json) {
    append(argv, "--log-type", "json");
    append(argv, "--name", app.name);
    append(argv, "--id", std::to_string(ctx.id));
  }
  if (!app.logs.journal) append(argv, "--journal", "no");
  argv.push_back("--");
  return argv;
}

// systemd-cat connects stdout and stderr to journald as two streams (priority 6 and 3), then
// execs what follows, so the app stays the main PID and its lines are attributed to the unit.
// no-env-expand keeps a `$` in the app's args literal, as PM2 passes them.
ExecCommand start_command(const AppDecl& app, const InstanceContext& ctx, const LogTargets& t,
                          const std::vector<std::string>& app_argv) {
  if (t.discard) return {app_argv.front(), app_argv, {"no-env-expand"}};
  // journal: false: the writer alone, copying nothing; its own messages still go to the journal.
  if (!app.logs.journal) {
    std::vector<std::string> argv = writer_argv(app, ctx, t);
    argv.insert(argv.end(), app_argv.begin(), app_argv.end());
    return {ctx.logwriter, argv, {"no-env-expand"}};
  }
  std::vector<std::string> argv = {ctx.systemd_cat,         "-t", app.name, "--level-prefix=false",
                                   "--stderr-priority=err", "--"};
  if (t.any_file()) {
    const auto writer = writer_argv(app, ctx, t);
    argv.insert(argv.end(), writer.begin(), writer.end());
  }
  argv.insert(argv.end(), app_argv.begin(), app_argv.end());
  return {ctx.systemd_cat, argv, {"no-env-expand"}};
}

ExecCommand pid_command(const InstanceContext& ctx, const char* script, const std::string& path) {
  return {ctx.shell,
          {ctx.shell, "-c", script, "pmctl-pidfile", path},
          {"ignore-failure", "no-env-expand"}};
}

// PM2's file-name form of an app name: [^A-Za-z0-9.-] becomes '-'.
std::string file_safe_name(std::string_view app_name) {
  std::string name(app_name);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '-';
  return name;
}

}  // namespace

bool is_discard_path(std::string_view path) { return path == "/dev/null" || path == "NULL"; }

std::string with_id_suffix(std::string_view path, int id) {
  const auto slash = path.rfind('/');
  const std::size_t base = slash == std::string_view::npos ? 0 : slash + 1;
  auto dot = path.rfind('.');
  // Like Node's path.extname: no extension when the only dot leads the name.
  if (dot == std::string_view::npos || dot <= base) dot = path.size();
  return std::string(path.substr(0, dot)) + "-" + std::to_string(id) +
         std::string(path.substr(dot));
}

LogTargets log_targets(const LogSettings& logs, int id) {
  LogTargets t;
  t.pid = file_of(logs.pid_file, true, id);
  if (logs.disabled) {
    t.discard = true;
    return t;
  }
  const bool suffix = !logs.merge_logs;
  t.out = file_of(logs.out_file, suffix, id);
  t.err = file_of(logs.error_file, suffix, id);
  t.log = file_of(logs.log_file, suffix, id);
  return t;
}

void add_journal_rate_limit(std::vector<Property>& props) {
  props.push_back({"LogRateLimitIntervalUSec", kJournalRateIntervalUsec});
  props.push_back({"LogRateLimitBurst", kJournalRateBurst});
}

void add_output(std::vector<Property>& props, const AppDecl& app, const InstanceContext& ctx,
                const std::vector<std::string>& app_argv) {
  const LogTargets t = log_targets(app.logs, ctx.id);
  props.push_back({"ExecStartEx", std::vector<ExecCommand>{start_command(app, ctx, t, app_argv)}});
  add_journal_rate_limit(props);
  if (t.discard) {
    props.push_back({"StandardOutput", std::string("null")});
    props.push_back({"StandardError", std::string("null")});
  }
  if (t.pid.empty()) return;
  props.push_back(
      {"ExecStartPostEx", std::vector<ExecCommand>{pid_command(ctx, kWritePid, t.pid)}});
  props.push_back(
      {"ExecStopPostEx", std::vector<ExecCommand>{pid_command(ctx, kRemovePid, t.pid)}});
}

LogSettings without_journal(LogSettings logs, const std::string& log_dir,
                            std::string_view app_name) {
  logs.journal = false;
  // PM2's names: ~/.pm2/logs/<name>-out.log and <name>-error.log.
  const std::string stem = log_dir + "/" + file_safe_name(app_name);
  if (logs.out_file.empty()) logs.out_file = stem + "-out.log";
  if (logs.error_file.empty()) logs.error_file = stem + "-error.log";
  return logs;
}

std::string default_combined_log(const std::string& state_dir, std::string_view app_name) {
  return state_dir + "/logs/" + file_safe_name(app_name) + ".log";
}

}  // namespace pmctl::core
