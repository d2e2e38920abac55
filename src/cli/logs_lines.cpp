// The lines `pmctl logs` prints: journald's pieces joined back, each in the style asked for.
#include "cli/logs_lines.hpp"

#include <algorithm>

#include "cli/output.hpp"
#include "core/base/utf8.hpp"
#include "core/text/log_line.hpp"
#include "core/text/log_view.hpp"

namespace pmctl::cli {
namespace {

bool is_err(const sd::LogLine& line) { return line.priority <= 3; }

/// PM2's --highlight: a grey background (chalk's bgBlackBright), only where colours are on.
std::string highlighted(const std::string& message, const LogStyle& style) {
  if (style.highlight.empty() || !color_enabled()) return message;
  return core::mark_all(message, style.highlight, "\033[100m", "\033[49m");
}

std::string text_line(const sd::LogLine& line, const LogSource& src, std::size_t name_width,
                      const LogStyle& style, const core::Moment& m) {
  const bool raw = style.raw;
  std::string out;
  if (!style.timestamp.empty()) out = grey(core::format_dayjs(style.timestamp, m)) + " ";
  if (!raw) {
    // Padded by terminal columns, as `ls` does: a wide name takes two per character.
    std::string name = src.name;
    name.append(name_width - std::min(name_width, core::display_width(name)), ' ');
    const std::string tag = std::to_string(src.id) + "|" + name + " | ";
    out += is_err(line) ? red(tag) : green(tag);
  }
  out += core::date_prefix(src.date_format, m);
  out += raw ? line.message : highlighted(line.message, style);  // PM2's --raw: no highlight
  return out;
}

}  // namespace

std::string render_line(const sd::LogLine& line, const LogSource& src, std::size_t name_width,
                        const LogStyle& style) {
  core::ViewLine view{line.realtime_usec, is_err(line), src.id, src.name, line.message};
  if (style.mode == LogStyle::Mode::Json) return core::json_view(view);
  const core::Moment m = core::moment_of_usec(line.realtime_usec);
  if (style.mode != LogStyle::Mode::KeyValues) return text_line(line, src, name_width, style, m);
  view.message = core::date_prefix(src.date_format, m) + highlighted(line.message, style);
  const std::string_view stamp =
      style.timestamp.empty() ? core::kKeyValueTimestampFormat : std::string_view(style.timestamp);
  return core::key_value_view(view, stamp, style.raw);
}

std::optional<sd::LogLine> Joiner::add(sd::LogLine piece) {
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

std::vector<sd::LogLine> Joiner::take_open() {
  std::vector<sd::LogLine> lines;
  for (auto& [key, line] : open_) lines.push_back(std::move(line));
  open_.clear();
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.realtime_usec < b.realtime_usec; });
  return lines;
}

}  // namespace pmctl::cli
