// pmctl logs|flush|reloadLogs: app output read back from journald, in PM2's `id|name | line`
// format; the log files an app declares are emptied by flush and reopened by reloadLogs.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/base/clock.hpp"
#include "core/base/utf8.hpp"
#include "core/fields/parse.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/model/selectors.hpp"
#include "core/state/log_files.hpp"
#include "core/text/log_line.hpp"
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
  bool timestamp = false;
};

struct Source {
  int id = 0;
  std::string name;
};

/// Which apps, their units, and what `flush` hid of each.
struct Selection {
  sd::LogQuery query;
  std::map<std::string, Source> by_unit;
  std::size_t name_width = 0;
  std::vector<std::string> file_only;  ///< What apps with the journal off write, and where.
};

/// An app with the journal off has its output in files only: where.
std::string files_of(const core::AppRecord& rec) {
  const core::LogTargets t = core::log_targets(rec.decl.logs, rec.id);
  std::string files;
  for (const std::string* f : {&t.out, &t.err, &t.log})
    if (!f->empty() && files.find(*f) == std::string::npos) files += " " + *f;
  return "'" + rec.decl.name + "' (id " + std::to_string(rec.id) +
         ") writes to files, not the journal (journal: false):" + (files.empty() ? " none" : files);
}

std::vector<int> selected_ids(const core::RegistryData& data, const std::string& target,
                              const std::string& cwd) {
  if (!target.empty()) return core::resolve_targets(data, {target}, cwd);
  return data.ids();
}

Selection select(Context& ctx, const LogsOptions& o) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  Selection sel;
  for (int id : selected_ids(data, o.target, ctx.cwd())) {
    const core::AppRecord* rec = data.find(id);
    // An instance runs under its transient name, its saved unit after a boot, and a cluster
    // instance also under its reload name: the lines of all of them.
    using core::Slot;
    for (Slot slot : rec->decl.cluster.enabled ? std::vector<Slot>{Slot::A, Slot::B, Slot::Saved}
                                               : std::vector<Slot>{Slot::A, Slot::Saved}) {
      const std::string unit = core::service_unit_name(rec->decl.name, id, slot);
      sel.query.units.push_back(unit);
      sel.query.since_usec[unit] = rec->log_watermark_usec;
      sel.query.group[unit] = std::to_string(id);  // --lines N counts per instance, as PM2's files
      sel.by_unit[unit] = {id, rec->decl.name};
    }
    sel.name_width = std::max(sel.name_width, core::display_width(rec->decl.name));
    if (!rec->decl.logs.journal && !rec->decl.logs.disabled)
      sel.file_only.push_back(files_of(*rec));
  }
  if (o.err_only) sel.query.streams = sd::Streams::Err;
  if (o.out_only) sel.query.streams = sd::Streams::Out;
  return sel;
}

std::string local_time(std::uint64_t usec, const char* format) {
  const std::time_t secs = static_cast<std::time_t>(usec / 1000000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string json_line(const sd::LogLine& line, const Source& src) {
  const nlohmann::json j = {{"message", line.message},
                            {"timestamp", local_time(line.realtime_usec, "%Y-%m-%dT%H:%M:%S%z")},
                            {"type", line.priority <= 3 ? "err" : "out"},
                            {"process_id", src.id},
                            {"app_name", src.name}};
  // Bytes that are not UTF-8 become U+FFFD, as PM2's JSON has them (--raw keeps them).
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_line(const sd::LogLine& line, const Selection& sel, const LogsOptions& o) {
  const auto it = sel.by_unit.find(line.unit);
  if (it == sel.by_unit.end()) return;
  const Source& src = it->second;
  if (o.json) {
    std::cout << json_line(line, src) << "\n" << std::flush;
    return;
  }
  std::string prefix;
  if (o.timestamp) prefix = local_time(line.realtime_usec, "%Y-%m-%d-%H:%M:%S") + " ";
  if (!o.raw) {
    // Padded by terminal columns, as `ls` does: a wide name takes two per character.
    std::string name = src.name;
    name.append(sel.name_width - std::min(sel.name_width, core::display_width(name)), ' ');
    const std::string tag = std::to_string(src.id) + "|" + name + " | ";
    prefix += line.priority <= 3 ? red(tag) : green(tag);
  }
  std::cout << prefix << line.message << "\n" << std::flush;
}

/// Joins what journald split at a NUL byte or after LineMax back into the app's line
/// (core::journal_line_end), per stream: the unit and its priority. A line keeps the time of its
/// first piece.
class Joiner {
 public:
  explicit Joiner(bool exact) : exact_(exact) {}

  /// The whole line once `piece` ends one; nothing while the line goes on.
  std::optional<sd::LogLine> add(sd::LogLine piece) {
    const core::LineEnd end = core::journal_line_end(piece.line_break, exact_);
    piece.message += end.tail;
    const Key key{piece.unit, piece.priority};
    if (const auto it = open_.find(key); it != open_.end()) {
      it->second.message += piece.message;
      piece = std::move(it->second);
      open_.erase(it);
    }
    if (!end.joins) return piece;
    open_.emplace(key, std::move(piece));
    return std::nullopt;
  }

  /// Lines whose stream has not gone on yet (it ended in a NUL), oldest first.
  std::vector<sd::LogLine> take_open() {
    std::vector<sd::LogLine> lines;
    for (auto& [key, line] : open_) lines.push_back(std::move(line));
    open_.clear();
    std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
      return a.realtime_usec < b.realtime_usec;
    });
    return lines;
  }

 private:
  using Key = std::pair<std::string, int>;
  bool exact_;
  std::map<Key, sd::LogLine> open_;
};

/// journald's own count of the lines it dropped among the lines shown: its rate limit or a full
/// disk. Said once per instance (for user units once: journald limits their manager as one unit).
void report_dropped(sd::Journal& journal, Context& ctx, const Selection& sel,
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
  std::map<int, std::uint64_t> by_id;  // lines dropped
  for (const auto& unit : sel.query.units) {
    const Source& src = sel.by_unit.at(unit);
    const auto first = first_shown.find(src.id);
    if (first == first_shown.end()) continue;
    const std::uint64_t after = std::max(sel.query.since_usec.at(unit), first->second);
    by_id[src.id] += journal.dropped(unit, after);
  }
  for (const auto& [app_id, dropped] : by_id) {
    if (dropped == 0) continue;
    const int id = app_id;  // clang before 16 cannot capture a structured binding
    const auto unit = std::find_if(sel.by_unit.begin(), sel.by_unit.end(),
                                   [&](const auto& u) { return u.second.id == id; });
    warn("journald dropped " + std::to_string(dropped) + " lines of '" + unit->second.name +
         "' (id " + std::to_string(id) +
         ") among the lines shown: its own limits or a full disk ('journalctl -u " + unit->first +
         " MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e' lists when)");
  }
}

void run_logs(Context& ctx, const LogsOptions& o, const std::function<bool()>& interrupted = {}) {
  if (o.err_only && o.out_only)
    throw core::Error("--err and --out cannot be combined", "leave both out to see both streams",
                      2);
  const std::size_t lines = core::parse_count(o.lines, "--lines");
  const Selection sel = select(ctx, o);
  if (sel.query.units.empty())
    throw core::Error("no apps registered", "start one with 'pmctl start app.js'");
  sd::Journal journal(ctx.scope());
  if (!o.raw && !o.json)
    say("Tailing last " + std::to_string(lines) + " lines for [" +
        (o.target.empty() ? std::string("all") : o.target) + "] app(s) (change with --lines)");
  Joiner joiner(o.json);
  const auto show = [&](const sd::LogLine& piece) {
    if (auto line = joiner.add(piece)) print_line(*line, sel, o);
  };
  // Follow from where the tail ended (or from now), so no line falls between the two.
  std::uint64_t resume = core::realtime_usec();
  std::map<int, std::uint64_t> first_shown;  // id -> time of its oldest line shown
  if (lines > 0) {
    for (const auto& line : journal.tail(sel.query, lines)) {
      show(line);
      resume = std::max(resume, line.realtime_usec);
      if (const auto src = sel.by_unit.find(line.unit); src != sel.by_unit.end())
        first_shown.emplace(src->second.id, line.realtime_usec);
    }
  }
  report_dropped(journal, ctx, sel, first_shown);
  for (const auto& note : sel.file_only) warn(note);
  if (o.nostream) {
    for (const auto& line : joiner.take_open()) print_line(line, sel, o);
    return;
  }
  journal.follow(
      sel.query,
      [&](const sd::LogLine& line) {
        show(line);
        return true;
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
                     const std::function<bool()>& interrupted) {
  LogsOptions o;
  o.target = target;
  o.lines = "0";
  run_logs(ctx, o, interrupted);
}

void register_logs(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<LogsOptions>();
  CLI::App* logs = app.add_subcommand("logs", "Show app output from the journal, then follow it");
  logs->alias("log");
  logs->add_option("target", o->target, "name | id | namespace | all | /regex/ (default: all)");
  logs->add_option("--lines", o->lines, "Lines to show from the past (default 15)");
  logs->add_flag("--nostream", o->nostream, "Print the past lines and exit");
  logs->add_flag("--err", o->err_only, "Only stderr");
  logs->add_flag("--out", o->out_only, "Only stdout");
  logs->add_flag("--raw", o->raw, "Bare lines, no id|name prefix");
  logs->add_flag("--json", o->json, "One JSON object per line");
  logs->add_flag("--timestamp", o->timestamp, "Prefix each line with its time");
  logs->callback([&ctx, o] { run_logs(ctx, *o); });

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
