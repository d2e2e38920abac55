#include "monit/monit.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "cli/logs_selection.hpp"
#include "core/base/clock.hpp"
#include "core/base/utf8.hpp"
#include "core/lifecycle/views.hpp"
#include "core/model/status.hpp"
#include "core/types/error.hpp"
#include "monit/cpu_rates.hpp"
#include "monit/layout.hpp"
#include "monit/rows.hpp"
#include "monit/screen.hpp"
#include "systemd/journal.hpp"

namespace pmctl::monit {
namespace {

volatile std::sig_atomic_t g_quit = 0;

void on_quit_signal(int) { g_quit = 1; }

/// SIGINT, SIGTERM and SIGHUP end the loop (no SA_RESTART: they interrupt ncurses' wait), so
/// the terminal is restored by Screen's destructor. SIGWINCH stays ncurses' own (KEY_RESIZE).
void catch_quit_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_quit_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

std::uint64_t monotonic_usec() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

Style status_style(const core::AppView& v) {
  if (v.incomplete) return Style::Bad;
  switch (v.status) {
    case core::Status::Online:
      return Style::Good;
    case core::Status::Stopped:
    case core::Status::Errored:
      return Style::Bad;
    default:
      return Style::Busy;
  }
}

/// A title on the separator line: as wide as it is, cut at `max` columns.
std::string label(const std::string& text, int max, bool utf8) {
  return fit(text, std::min(max, static_cast<int>(core::display_width(text))), utf8);
}

std::string repeat(const std::string& piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

class Monit {
 public:
  Monit(cli::Context& ctx, Screen& screen) : ctx_(ctx), screen_(screen) {}
  void run();

 private:
  void sample();
  void load_logs();
  void draw();
  void draw_title(const Layout& l);
  void draw_table(const Layout& l);
  void draw_row(int y, const core::AppView& v, const std::vector<ColumnSpec>& columns, bool sel);
  void draw_bottom(const Layout& l);
  void draw_details(const Rect& r, const core::AppView& v);
  void draw_logs(const Rect& r);
  void move(int delta);
  std::size_t selected_index() const;
  std::optional<double> cpu_of(const core::AppView& v) const;

  cli::Context& ctx_;
  Screen& screen_;
  CpuRates rates_;
  std::vector<core::AppView> apps_;
  std::map<int, double> cpu_;
  std::string error_;
  int selected_id_ = -1;
  std::size_t first_row_ = 0;
  // The selected app's log lines: its units' query, made when the selection changes.
  std::unique_ptr<sd::Journal> journal_;
  int query_id_ = -1;
  std::optional<sd::LogQuery> query_;
  std::vector<std::string> log_notes_;
  std::vector<sd::LogLine> logs_;
};

void Monit::run() {
  constexpr std::uint64_t kFrameUsec = 1000000;
  sample();
  load_logs();
  draw();
  std::uint64_t next = monotonic_usec() + kFrameUsec;
  while (!g_quit) {
    const std::uint64_t now = monotonic_usec();
    const int wait_ms = now >= next ? 0 : static_cast<int>((next - now + 999) / 1000);
    const Key key = screen_.key(wait_ms);
    if (g_quit || key == Key::Quit) break;
    switch (key) {
      case Key::Up:
        move(-1);
        break;
      case Key::Down:
        move(1);
        break;
      case Key::PageUp:
        move(-10);
        break;
      case Key::PageDown:
        move(10);
        break;
      case Key::Home:
        move(-1000000);
        break;
      case Key::End:
        move(1000000);
        break;
      case Key::Resize:
        draw();
        break;
      default:
        break;
    }
    if (key == Key::None && monotonic_usec() >= next) {
      sample();
      load_logs();
      draw();
      next = std::max(next + kFrameUsec, monotonic_usec() + kFrameUsec / 2);
    }
  }
}

// One pass: the registry, every unit's state in one batch over the manager's socket, and the
// cgroup figures from cgroupfs and /proc (core::Views::of).
void Monit::sample() {
  try {
    const auto data = ctx_.registry().load(core::Registry::Environments::Skip);
    apps_ = ctx_.lifecycle().views(data, data.ids());
    std::stable_sort(apps_.begin(), apps_.end(),
                     [](const auto& a, const auto& b) { return a.record.id < b.record.id; });
    std::vector<CpuSample> samples;
    for (const auto& v : apps_)
      if (v.status == core::Status::Online && v.started_usec)
        samples.push_back({v.record.id, v.started_usec, v.cpu_usec});
    cpu_ = rates_.next(samples, monotonic_usec());
    error_.clear();
  } catch (const std::exception& e) {
    error_ = e.what();  // shown in the title; the next frame tries again
  }
  if (apps_.empty()) {
    selected_id_ = -1;
    return;
  }
  const bool present = std::any_of(apps_.begin(), apps_.end(),
                                   [&](const auto& v) { return v.record.id == selected_id_; });
  if (!present) selected_id_ = apps_[std::min(selected_index(), apps_.size() - 1)].record.id;
}

std::size_t Monit::selected_index() const {
  for (std::size_t i = 0; i < apps_.size(); ++i)
    if (apps_[i].record.id == selected_id_) return i;
  return 0;
}

void Monit::move(int delta) {
  if (apps_.empty()) return;
  const long at = static_cast<long>(selected_index()) + delta;
  const long last = static_cast<long>(apps_.size()) - 1;
  selected_id_ = apps_[static_cast<std::size_t>(std::clamp(at, 0L, last))].record.id;
  load_logs();
  draw();
}

void Monit::load_logs() {
  logs_.clear();
  if (selected_id_ < 0) return;
  const Layout l = layout_for(screen_.rows(), screen_.cols(), apps_.size());
  try {
    if (query_id_ != selected_id_) {
      query_.reset();
      log_notes_.clear();
      query_id_ = selected_id_;
      cli::LogSelectionOptions options;
      options.target = std::to_string(selected_id_);
      const cli::LogSelection selection(ctx_, options);
      query_ = selection.query();
      log_notes_ = selection.file_only();
    }
    if (!journal_) journal_ = std::make_unique<sd::Journal>(ctx_.scope());
    const auto lines = static_cast<std::size_t>(std::max(0, l.logs.h));
    logs_ = journal_->tail(*query_, lines);
    if (logs_.size() > lines) logs_.erase(logs_.begin(), logs_.end() - lines);
  } catch (const std::exception& e) {
    log_notes_ = {std::string("cannot read the logs: ") + e.what()};
  }
}

std::optional<double> Monit::cpu_of(const core::AppView& v) const {
  const auto it = cpu_.find(v.record.id);
  return it == cpu_.end() ? std::nullopt : std::optional<double>(it->second);
}

void Monit::draw() {
  screen_.blank();
  const Layout l = layout_for(screen_.rows(), screen_.cols(), apps_.size());
  if (l.too_small) {
    screen_.put(0, 0,
                fit("pmctl monit: the terminal is too small (40x10 at least)", screen_.cols(),
                    screen_.utf8()));
    screen_.show();
    return;
  }
  draw_title(l);
  draw_table(l);
  draw_bottom(l);
  screen_.show();
}

void Monit::draw_title(const Layout& l) {
  const bool utf8 = screen_.utf8();
  const std::string left = " pmctl monit  " + std::to_string(apps_.size()) + " app" +
                           (apps_.size() == 1 ? "" : "s") + "  " +
                           log_text(core::realtime_usec(), "").substr(0, 8);
  std::string right = utf8 ? "↑↓ select  q quit " : "up/down select  q quit ";
  if (!error_.empty()) right = "error: " + error_ + " ";
  const int left_w = static_cast<int>(left.size());
  screen_.put(0, 0, fit(left, l.title.w, utf8), Style::Title, true);
  const int right_w = std::max(0, l.title.w - left_w);
  const int shown = std::min(right_w, static_cast<int>(core::display_width(right)));
  if (shown > 0)
    screen_.put(0, l.title.w - shown, fit(right, shown, utf8),
                error_.empty() ? Style::Title : Style::Bad, true);
}

void Monit::draw_table(const Layout& l) {
  const auto columns = columns_for(l.table.w);
  screen_.put(l.table.y, 0, fit(header_line(columns, screen_.utf8()), l.table.w, screen_.utf8()),
              Style::Header);
  if (apps_.empty()) {
    screen_.put(l.table.y + 1, 1,
                fit("no apps: 'pmctl start <script>' starts one", l.table.w - 1, screen_.utf8()),
                Style::Dim);
    return;
  }
  const auto visible = static_cast<std::size_t>(l.table.h - 1);
  const std::size_t sel = selected_index();
  first_row_ = scroll_to(sel, first_row_, visible, apps_.size());
  for (std::size_t i = first_row_; i < apps_.size() && i < first_row_ + visible; ++i)
    draw_row(l.table.y + 1 + static_cast<int>(i - first_row_), apps_[i], columns, i == sel);
}

void Monit::draw_row(int y, const core::AppView& v, const std::vector<ColumnSpec>& columns,
                     bool sel) {
  const auto cells = row_cells(v, cpu_of(v), columns, screen_.utf8());
  screen_.put(y, 0, sel ? ">" : " ", Style::Normal, sel);
  int x = 1;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) screen_.put(y, x++, " ", Style::Normal, sel);
    const Style style = columns[i].column == Column::Status ? status_style(v) : Style::Normal;
    screen_.put(y, x, cells[i], style, sel);
    x += columns[i].width;
  }
  if (sel && x < screen_.cols())
    screen_.put(y, x, std::string(screen_.cols() - x, ' '), Style::Normal, sel);
}

void Monit::draw_bottom(const Layout& l) {
  const bool utf8 = screen_.utf8();
  const int y = l.details.y - 1;
  screen_.put(y, 0, repeat(utf8 ? "─" : "-", l.title.w), Style::Dim);
  const core::AppView* v = nullptr;
  for (const auto& a : apps_)
    if (a.record.id == selected_id_) v = &a;
  const std::string name = v ? v->record.decl.name : "";
  if (l.details.w > 0) {
    screen_.put(y, 1, label(" details: " + name + " ", l.details.w - 2, utf8), Style::Header);
    screen_.divider(l.details.y, l.details.w, l.details.h);
    if (v) draw_details(l.details, *v);
  }
  screen_.put(y, l.logs.x + 1, label(" logs: " + name + " ", l.logs.w - 2, utf8), Style::Header);
  draw_logs(l.logs);
}

void Monit::draw_details(const Rect& r, const core::AppView& v) {
  const auto rows = detail_rows(v, cpu_of(v));
  constexpr int kKey = 12;  // the longest key, "interpreter", and a space
  for (int i = 0; i < r.h && i < static_cast<int>(rows.size()); ++i) {
    const auto& [key, value] = rows[static_cast<std::size_t>(i)];
    screen_.put(r.y + i, r.x + 1, fit(key, kKey - 1, screen_.utf8()), Style::Dim);
    const Style style = key == "status" ? status_style(v) : Style::Normal;
    screen_.put(r.y + i, r.x + 1 + kKey, fit(value, r.w - kKey - 1, screen_.utf8()), style);
  }
}

void Monit::draw_logs(const Rect& r) {
  const bool utf8 = screen_.utf8();
  int y = r.y;
  const int x = r.x + 1;
  const int w = r.w - 1;
  for (const auto& note : log_notes_)
    if (y < r.y + r.h) screen_.put(y++, x, fit(note, w, utf8), Style::Dim);
  // The newest lines that fit under the notes.
  const auto room = static_cast<std::size_t>(std::max(0, r.y + r.h - y));
  const std::size_t skip = logs_.size() > room ? logs_.size() - room : 0;
  for (std::size_t i = skip; i < logs_.size(); ++i)
    screen_.put(y++, x, fit(log_text(logs_[i].realtime_usec, logs_[i].message), w, utf8),
                logs_[i].priority <= 3 ? Style::Err : Style::Normal);
  if (logs_.empty() && log_notes_.empty() && selected_id_ >= 0)
    screen_.put(y, x, fit("(no log lines)", w, utf8), Style::Dim);
}

}  // namespace

void run_monit(cli::Context& ctx, bool color) {
  catch_quit_signals();
  Screen screen(color);
  Monit(ctx, screen).run();
}

}  // namespace pmctl::monit
