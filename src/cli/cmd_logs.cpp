// pmctl logs|flush|reloadLogs: app output read back from journald, in PM2's `id|name | line`
// format; the log files an app declares are emptied by flush and reopened by reloadLogs.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/logs_lines.hpp"
#include "cli/logs_selection.hpp"
#include "cli/output.hpp"
#include "cli/remote.hpp"
#include "core/base/clock.hpp"
#include "core/fields/parse.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/model/selectors.hpp"
#include "core/state/log_files.hpp"
#include "core/text/log_view.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"
#include "systemd/journal.hpp"

namespace pmctl::cli {
namespace {

struct LogsOptions {
  std::string target;
  std::string lines = "15";
  bool nostream = false;
  bool err_only = false;
  bool out_only = false;
  bool raw = false;
  bool json = false;
  bool format = false;
  bool time = false;
  std::string date_format;  ///< --log-date-format
  std::string timestamp;    ///< --timestamp [format]
  std::string highlight;    ///< --highlight [word]
  /// Which of the options with a value were given (a value may be optional).
  bool date_format_given = false;
  bool timestamp_given = false;
  bool highlight_given = false;
};

LogStyle style_of(const LogsOptions& o) {
  LogStyle style;
  style.mode = o.json     ? LogStyle::Mode::Json
               : o.format ? LogStyle::Mode::KeyValues
                          : LogStyle::Mode::Text;
  style.raw = o.raw;
  if (o.timestamp_given)
    style.timestamp = o.timestamp.empty() ? std::string(core::kTimestampFormat) : o.timestamp;
  style.highlight = o.highlight;
  return style;
}

LogSelectionOptions selection_options(const LogsOptions& o) {
  LogSelectionOptions s;
  s.target = o.target;
  if (o.err_only) s.streams = sd::Streams::Err;
  if (o.out_only) s.streams = sd::Streams::Out;
  s.date_format = o.date_format;
  s.time = o.time;
  return s;
}

/// Refuses what cannot be combined or lacks its value: one error line, exit 2.
void check(const LogsOptions& o) {
  if (o.err_only && o.out_only)
    throw core::Error("--err and --out cannot be combined", "leave both out to see both streams",
                      2);
  if (o.json && o.format)
    throw core::Error("--json and --format cannot be combined", "pick one output format", 2);
  if (o.date_format_given && o.date_format.empty())
    throw core::Error("--log-date-format needs a format", "for example 'YYYY-MM-DD HH:mm:ss Z'", 2);
  if (o.highlight_given && o.highlight.empty())
    warn("--highlight without a word highlights nothing, as in PM2: 'pmctl logs --highlight WORD'");
}

/// journald's own count of the lines it dropped among the lines shown: its rate limit or a full
/// disk. Said once per instance (for user units once: journald limits their manager as one unit).
void report_dropped(sd::Journal& journal, Context& ctx, const LogSelection& sel,
                    const std::map<int, std::uint64_t>& first_shown) {
  if (ctx.scope() == core::Scope::User) {
    if (first_shown.empty()) return;
    std::uint64_t first = UINT64_MAX;
    for (const auto& [id, usec] : first_shown) first = std::min(first, usec);
    const std::string manager = "user@" + std::to_string(getuid()) + ".service";
    const std::uint64_t dropped = journal.dropped(manager, first);
    if (dropped > 0)
      warn("journald dropped " + std::to_string(dropped) + " lines of '" + manager +
           "' (every user unit together) among the lines shown: its rate limit for user managers, "
           "which pmctl's drop-in user@.service.d/pmctl-log-rate.conf lifts from the manager's "
           "next start (docs/reliability.md, \"Log floods\"); 'journalctl -u " +
           manager + " MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e' lists when");
    return;
  }
  std::map<int, std::uint64_t> by_id;                          // lines dropped
  std::map<int, std::pair<std::string, std::string>> unit_of;  // id -> a unit, the app's name
  for (const auto& unit : sel.query().units) {
    const LogSource& src = *sel.source(unit);
    const auto first = first_shown.find(src.id);
    if (first == first_shown.end()) continue;
    const std::uint64_t after = std::max(src.since_usec, first->second);
    by_id[src.id] += journal.dropped(unit, after);
    unit_of.emplace(src.id, std::make_pair(unit, src.name));
  }
  for (const auto& [id, dropped] : by_id) {
    if (dropped == 0) continue;
    const auto& [unit, name] = unit_of.at(id);
    warn("journald dropped " + std::to_string(dropped) + " lines of '" + name + "' (id " +
         std::to_string(id) +
         ") among the lines shown: its own limits or a full disk ('journalctl -u " + unit +
         " MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e' lists when)");
  }
}

/// Prints one line the selection knows, in `style`.
class Printer {
 public:
  Printer(const LogSelection& sel, LogStyle style) : sel_(sel), style_(std::move(style)) {}
  void operator()(const sd::LogLine& line) const {
    if (const LogSource* src = sel_.source(line.unit))
      std::cout << render_line(line, *src, sel_.name_width(), style_) << "\n" << std::flush;
  }

 private:
  const LogSelection& sel_;
  LogStyle style_;
};

void say_what(const LogsOptions& o, const LogSelection& sel, std::size_t lines) {
  if (o.json || o.format || o.raw) return;
  if (sel.empty())
    say("No apps registered yet: following the output of the apps that start (Ctrl-C ends)");
  else
    say("Tailing last " + std::to_string(lines) + " lines of each stream for [" +
        (o.target.empty() ? std::string("all") : o.target) + "] app(s) (change with --lines)");
  std::cout << std::flush;  // seen before the first line, however long that takes
}

/// The tail: prints it, and returns the time of its newest line (at least `resume`) and the
/// time of each instance's oldest line shown.
std::uint64_t print_tail(sd::Journal& journal, const LogSelection& sel, std::size_t lines,
                         Joiner& joiner, const Printer& print, std::uint64_t resume,
                         std::map<int, std::uint64_t>& first_shown) {
  if (lines == 0 || sel.empty()) return resume;
  for (const auto& line : journal.tail(sel.query(), lines)) {
    if (auto whole = joiner.add(line)) print(*whole);
    resume = std::max(resume, line.realtime_usec);
    if (const LogSource* src = sel.source(line.unit))
      first_shown.emplace(src->id, line.realtime_usec);
  }
  return resume;
}

/// For a pmctl run by `pmctl -H` on another machine: a check that the local pmctl is gone (its
/// end of our stdin closed), so that the follow ends with it. Empty otherwise.
std::function<bool()> remote_client_gone() {
  if (!follow_ends_with_stdin()) return {};
  return [] {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return false;
    char buf[256];
    return (p.revents & (POLLHUP | POLLERR)) || read(STDIN_FILENO, buf, sizeof buf) <= 0;
  };
}

void run_logs(Context& ctx, const LogsOptions& o, const std::function<bool()>& interrupted = {}) {
  check(o);
  const std::size_t lines = core::parse_count(o.lines, "--lines");
  LogSelection sel(ctx, selection_options(o));
  if (sel.empty() && o.nostream)
    throw core::Error("no apps registered", "start one with 'pmctl start app.js'");
  sd::Journal journal(ctx.scope());
  // Follow from where the tail ended (or from now), so no line falls between the two.
  const std::uint64_t now = core::realtime_usec();
  say_what(o, sel, lines);
  Joiner joiner(o.json);
  const Printer print(sel, style_of(o));
  std::map<int, std::uint64_t> first_shown;  // id -> time of its oldest line shown
  const std::uint64_t resume = print_tail(journal, sel, lines, joiner, print, now, first_shown);
  report_dropped(journal, ctx, sel, first_shown);
  for (const auto& note : sel.file_only()) warn(note);
  if (o.nostream) {
    for (const auto& line : joiner.take_open()) print(line);
    return;
  }
  // Every pmctl unit: the selection picks the lines of its apps, and of those that start later.
  sd::LogQuery follow = sel.query();
  follow.unit_prefix = std::string(core::kUnitPrefix) + "-";
  journal.follow(
      follow,
      [&](const sd::LogLine& piece) {
        const LogSource* src = sel.find(piece.unit);
        if (src == nullptr || piece.realtime_usec <= src->since_usec) return true;
        if (auto whole = joiner.add(piece)) print(*whole);
        return !interrupted || !interrupted();  // a busy app's stream ends on Ctrl-C too
      },
      resume, interrupted);
}

std::vector<int> target_ids(Context& ctx, const core::RegistryData& data,
                            const std::vector<std::string>& targets) {
  return targets.empty() ? data.ids() : core::resolve_targets(data, targets, ctx.cwd());
}

void run_flush(Context& ctx, const std::vector<std::string>& targets) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  const std::vector<int> ids = target_ids(ctx, data, targets);
  ctx.lifecycle().flush_logs(ids, core::realtime_usec());
  for (int id : ids) {
    const core::AppRecord* rec = data.find(id);
    say("flushed '" + rec->decl.name + "' (id " + std::to_string(id) +
        "): 'pmctl logs' hides the lines so far; journald cannot delete per unit, so 'journalctl "
        "-u " +
        core::service_unit_name(rec->decl.name, id, rec->slot) + "' still has them");
    for (const auto& file : core::truncate_log_files(core::log_targets(rec->decl.logs, id)))
      say("emptied " + file);
  }
}

/// PM2's reloadLogs: log writers reopen their files, after logrotate renamed them.
void run_reload_logs(Context& ctx, const std::vector<std::string>& targets) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  say("Reloading all logs...");
  std::size_t writers = 0;
  for (int id : target_ids(ctx, data, targets)) {
    const core::AppRecord* rec = data.find(id);
    if (core::log_targets(rec->decl.logs, id).any_file())
      writers += ctx.lifecycle().reload_logs(*rec);
  }
  say("All logs reloaded (" + std::to_string(writers) + " log writer(s) reopened their files)");
}

}  // namespace

void follow_app_logs(Context& ctx, const std::string& target,
                     const std::function<bool()>& interrupted, bool timestamps) {
  LogsOptions o;
  o.target = target;
  o.lines = "0";
  o.timestamp_given = timestamps;
  run_logs(ctx, o, interrupted);
}

void register_logs(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<LogsOptions>();
  CLI::App* logs = app.add_subcommand("logs", "Show app output from the journal, then follow it");
  logs->alias("log");
  logs->add_option("target", o->target, "name | id | namespace | all | /regex/ (default: all)");
  logs->add_option("--lines", o->lines,
                   "Lines to show from the past, of each stream of each instance (default 15)");
  logs->add_flag("--nostream", o->nostream, "Print the past lines and exit");
  logs->add_flag("--err", o->err_only, "Only stderr");
  logs->add_flag("--out", o->out_only, "Only stdout");
  logs->add_flag("--raw", o->raw, "Bare lines, no id|name prefix");
  logs->add_flag("--json", o->json, "One PM2 JSON object per line (UTC time with milliseconds)");
  logs->add_flag("--format", o->format,
                 "PM2's key=value lines: timestamp= app= id= type= message=");
  CLI::Option* timestamp =
      logs->add_option("--timestamp", o->timestamp,
                       "Put each line's time before it, in this dayjs format (default "
                       "YYYY-MM-DD-HH:mm:ss); a word right after it is its format")
          ->expected(0, 1)
          ->type_name("[FORMAT]");
  CLI::Option* highlight =
      logs->add_option("--highlight", o->highlight,
                       "Show every WORD in the lines on a grey background (where colours are on)")
          ->expected(0, 1)
          ->type_name("[WORD]");
  logs->add_flag("--time", o->time,
                 "Put the date before each line as start --time does in files "
                 "(YYYY-MM-DDTHH:mm:ss)");
  CLI::Option* date_format =
      logs->add_option("--log-date-format", o->date_format,
                       "Put the date before each line in this dayjs format (default: each app's "
                       "own --log-date-format or --time)")
          ->type_name("FORMAT");
  logs->callback([&ctx, o, timestamp, highlight, date_format] {
    o->timestamp_given = timestamp->count() > 0;
    o->highlight_given = highlight->count() > 0;
    o->date_format_given = date_format->count() > 0;
    run_logs(ctx, *o, remote_client_gone());
  });

  auto targets = std::make_shared<std::vector<std::string>>();
  CLI::App* flush = app.add_subcommand(
      "flush", "Empty the log files, hide earlier journal lines from 'pmctl logs'");
  flush->add_option("targets", *targets, "name | id | namespace | all (default: all)");
  flush->callback([&ctx, targets] { run_flush(ctx, *targets); });

  auto reload_targets = std::make_shared<std::vector<std::string>>();
  CLI::App* reload =
      app.add_subcommand("reloadLogs", "Make log writers reopen their files (after logrotate)");
  reload->add_option("targets", *reload_targets, "name | id | namespace | all (default: all)");
  reload->callback([&ctx, reload_targets] { run_reload_logs(ctx, *reload_targets); });
}

}  // namespace pmctl::cli
