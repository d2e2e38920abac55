#include "systemd/journal.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/types/manager.hpp"
#include "systemd/bus.hpp"

namespace pmctl::sd {
namespace {

int journal_check(int r, std::string_view what) {
  if (r < 0)
    throw core::ManagerError("", "journal: " + std::string(what) + ": " + std::strerror(-r));
  return r;
}

/// Reads `field` of the current entry into `value` (binary-safe); false if the entry lacks it.
bool get_field(sd_journal* j, const char* field, std::string* value) {
  const void* data = nullptr;
  size_t length = 0;
  if (sd_journal_get_data(j, field, &data, &length) < 0) return false;
  // The data is "FIELD=value", not NUL-terminated, and may hold any bytes.
  const size_t prefix = std::strlen(field) + 1;
  if (length < prefix) return false;
  value->assign(static_cast<const char*>(data) + prefix, length - prefix);
  return true;
}

std::uint32_t to_number(const std::string& text, std::uint32_t fallback) {
  if (text.empty()) return fallback;
  char* end = nullptr;
  unsigned long value = std::strtoul(text.c_str(), &end, 10);
  return *end == '\0' ? static_cast<std::uint32_t>(value) : fallback;
}

}  // namespace

struct Journal::Impl {
  core::Scope scope;
  JournalPtr journal;

  const char* unit_field() const {
    return scope == core::Scope::System ? "_SYSTEMD_UNIT" : "_SYSTEMD_USER_UNIT";
  }

  void add_match(const std::string& match) {
    journal_check(sd_journal_add_match(journal.get(), match.data(), match.size()),
                  "adding match '" + match + "'");
  }

  /// Matches the output of `units` (OR) and, AND-ed, the stream filter. User units also need the
  /// caller's UID: unit names are only unique per user manager.
  void set_matches(const std::vector<std::string>& units, Streams streams) {
    sd_journal_flush_matches(journal.get());
    for (const auto& unit : units) add_match(std::string(unit_field()) + "=" + unit);
    if (scope == core::Scope::User) add_match("_UID=" + std::to_string(getuid()));
    // stderr is priority 3 and stdout 6 (systemd-cat); other priorities (an app's syslog()) go
    // with the stream they are shown as: 0 to 3 err, the rest out.
    if (streams == Streams::Both) return;
    const bool err = streams == Streams::Err;
    for (int p = err ? 0 : 4; p <= (err ? 3 : 7); ++p) add_match("PRIORITY=" + std::to_string(p));
  }

  /// The name of the current entry's unit if it starts with `prefix`.
  bool unit_has_prefix(const std::string& prefix) {
    std::string unit;
    return get_field(journal.get(), unit_field(), &unit) && unit.starts_with(prefix);
  }

  LogLine read_entry() {
    LogLine line;
    journal_check(sd_journal_get_realtime_usec(journal.get(), &line.realtime_usec),
                  "reading the timestamp");
    std::string value;
    if (get_field(journal.get(), "PRIORITY", &value))
      line.priority = static_cast<int>(to_number(value, 6));
    if (get_field(journal.get(), "_PID", &value)) line.pid = to_number(value, 0);
    get_field(journal.get(), unit_field(), &line.unit);
    get_field(journal.get(), "MESSAGE", &line.message);
    get_field(journal.get(), "_LINE_BREAK", &line.line_break);
    return line;
  }

  static std::uint64_t since(const LogQuery& query, const std::string& unit) {
    auto it = query.since_usec.find(unit);
    return it == query.since_usec.end() ? 0 : it->second;
  }
};

Journal::Journal(core::Scope scope) : impl_(std::make_unique<Impl>()) {
  impl_->scope = scope;
  sd_journal* raw = nullptr;
  // LOCAL_ONLY without SYSTEM/CURRENT_USER opens every file we may read: the system journal and,
  // for an unprivileged user, their own user-<uid>.journal (where their user units log).
  journal_check(sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY), "opening the journal");
  impl_->journal.reset(raw);
  journal_check(sd_journal_set_data_threshold(raw, 0), "setting the data threshold");
}

Journal::~Journal() = default;

std::vector<LogLine> Journal::tail(const LogQuery& query, std::size_t lines) {
  std::vector<LogLine> merged;
  if (lines == 0) return merged;
  sd_journal* j = impl_->journal.get();
  // Groups in the order of their first unit.
  std::vector<std::vector<std::string>> groups;
  std::map<std::string, std::size_t> group_at;
  for (const auto& unit : query.units) {
    const auto g = query.group.find(unit);
    if (g == query.group.end()) {
      groups.push_back({unit});
      continue;
    }
    const auto [at, added] = group_at.emplace(g->second, groups.size());
    if (added) groups.emplace_back();
    groups[at->second].push_back(unit);
  }
  // PM2 tails an app's out file and its err file: N lines of each.
  const std::vector<Streams> streams = query.streams == Streams::Both
                                           ? std::vector<Streams>{Streams::Out, Streams::Err}
                                           : std::vector<Streams>{query.streams};
  for (const auto& units : groups) {
    for (const Streams stream : streams) {
      impl_->set_matches(units, stream);  // one field matched several times: any of them
      const std::uint64_t since = Impl::since(query, units.front());
      journal_check(sd_journal_seek_tail(j), "seeking to the tail");
      std::vector<LogLine> newest_first;
      while (newest_first.size() < lines && journal_check(sd_journal_previous(j), "reading") > 0) {
        LogLine line = impl_->read_entry();
        if (line.realtime_usec <= since) break;
        newest_first.push_back(std::move(line));
      }
      merged.insert(merged.end(), newest_first.rbegin(), newest_first.rend());
    }
  }
  std::stable_sort(merged.begin(), merged.end(), [](const LogLine& a, const LogLine& b) {
    return a.realtime_usec < b.realtime_usec;
  });
  return merged;
}

void Journal::follow(const LogQuery& query, const std::function<bool(const LogLine&)>& sink,
                     std::uint64_t after_usec, const std::function<bool()>& interrupted) {
  const bool by_prefix = !query.unit_prefix.empty();
  if (query.units.empty() && !by_prefix) return;
  sd_journal* j = impl_->journal.get();
  // Opening the inotify fd before seeking makes the first sd_journal_wait() see every entry
  // written after this point (journalctl does the same).
  journal_check(sd_journal_get_fd(j), "watching the journal");
  // sd-journal matches whole values only: by prefix, every entry (of the caller's UID for user
  // units) is read and those of other units skipped here, as journalctl -f reads them all.
  impl_->set_matches(by_prefix ? std::vector<std::string>{} : query.units, query.streams);
  if (after_usec > 0) {
    journal_check(sd_journal_seek_realtime_usec(j, after_usec + 1), "seeking");
  } else {
    journal_check(sd_journal_seek_tail(j), "seeking to the tail");
    // Step onto the newest existing entry, so that sd_journal_next() yields only newer ones.
    journal_check(sd_journal_previous(j), "reading");
  }
  for (;;) {
    int r = journal_check(sd_journal_next(j), "reading");
    if (r == 0) {
      // sd_journal_wait waits again after a signal (EINTR): with `interrupted` to ask, it waits
      // 250 ms at a time instead.
      const std::uint64_t wait = interrupted ? 250000 : static_cast<std::uint64_t>(-1);
      journal_check(sd_journal_wait(j, wait), "waiting for entries");
      if (interrupted && interrupted()) return;
      continue;
    }
    if (by_prefix && !impl_->unit_has_prefix(query.unit_prefix)) continue;
    LogLine line = impl_->read_entry();
    if (line.realtime_usec <= Impl::since(query, line.unit) || line.realtime_usec <= after_usec)
      continue;
    if (!sink(line)) return;
  }
}

std::uint64_t Journal::dropped(const std::string& unit, std::uint64_t after_usec) {
  sd_journal* j = impl_->journal.get();
  sd_journal_flush_matches(j);
  // journald writes these itself (_TRANSPORT=driver), naming the unit whose lines it dropped.
  impl_->add_match("MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e");
  impl_->add_match("_TRANSPORT=driver");
  impl_->add_match("OBJECT_SYSTEMD_UNIT=" + unit);
  journal_check(sd_journal_seek_realtime_usec(j, after_usec + 1), "seeking");
  std::uint64_t lines = 0;
  while (journal_check(sd_journal_next(j), "reading") > 0) {
    std::string count;
    std::uint64_t usec = 0;
    journal_check(sd_journal_get_realtime_usec(j, &usec), "reading the timestamp");
    if (usec > after_usec && get_field(j, "N_DROPPED", &count)) lines += to_number(count, 0);
  }
  return lines;
}

}  // namespace pmctl::sd
