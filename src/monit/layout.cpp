#include "monit/layout.hpp"

#include <algorithm>

#include "core/base/utf8.hpp"

namespace pmctl::monit {

Layout layout_for(int rows, int cols, std::size_t apps) {
  Layout l;
  if (rows < kMinRows || cols < kMinCols) {
    l.too_small = true;
    return l;
  }
  l.title = {0, 0, 1, cols};
  // The table takes what its apps need, at most half the rows below the title; the rest (a
  // separator line, then details and logs) at least 5 rows.
  const int below_title = rows - 1;
  const int wanted = static_cast<int>(std::min<std::size_t>(apps, 1000)) + 1;
  const int table_h = std::clamp(wanted, 2, std::max(2, below_title / 2));
  l.table = {1, 0, table_h, cols};
  const int bottom_y = 1 + table_h + 1;
  const int bottom_h = rows - bottom_y;
  // Details need about 34 columns; a screen under 70 wide gives the logs all of it.
  const int details_w = cols >= 70 ? std::clamp(cols * 2 / 5, 34, 48) : 0;
  l.details = {bottom_y, 0, bottom_h, details_w};
  const int logs_x = details_w > 0 ? details_w + 1 : 0;  // one column for the divider
  l.logs = {bottom_y, logs_x, bottom_h, cols - logs_x};
  return l;
}

namespace {

int fixed_width(Column c) {
  switch (c) {
    case Column::Id:
      return 3;
    case Column::Name:
      return 0;
    case Column::Status:
      return 10;
    case Column::Cpu:
      return 6;
    case Column::Memory:
      return 8;
    case Column::Restarts:
      return 3;
    case Column::Uptime:
      return 6;
  }
  return 0;
}

constexpr int kMinName = 4;
constexpr int kMaxName = 40;

}  // namespace

std::vector<ColumnSpec> columns_for(int width) {
  std::vector<Column> cols = {Column::Id,     Column::Name,     Column::Status, Column::Cpu,
                              Column::Memory, Column::Restarts, Column::Uptime};
  for (;;) {
    int used = 1;  // the selection mark
    for (Column c : cols) used += fixed_width(c) + 1;
    const int name = width - used;
    if (name >= kMinName || cols.size() <= 4) {
      std::vector<ColumnSpec> out;
      for (Column c : cols)
        out.push_back({c, c == Column::Name ? std::clamp(name, 0, kMaxName) : fixed_width(c)});
      return out;
    }
    cols.pop_back();  // uptime, restarts, memory
  }
}

std::string fit(std::string_view text, int width, bool utf8) {
  if (width <= 0) return "";
  std::string clean;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x20 || b == 0x7f) {
      clean += '?';
      ++i;
      continue;
    }
    if (b < 0x80) {
      clean += text[i++];
      continue;
    }
    std::size_t n = 0;
    core::decode_utf8(text.substr(i), n);
    if (n == 0 || !utf8) {
      clean += '?';
      i += n == 0 ? 1 : n;
      continue;
    }
    clean.append(text.substr(i, n));
    i += n;
  }
  const auto w = static_cast<std::size_t>(width);
  std::size_t shown = core::display_width(clean);
  if (shown > w) {
    clean = std::string(core::truncate_to_width(clean, w - 1)) + (utf8 ? "…" : "~");
    shown = core::display_width(clean);
  }
  clean.append(w > shown ? w - shown : 0, ' ');
  return clean;
}

std::size_t scroll_to(std::size_t selected, std::size_t first, std::size_t visible,
                      std::size_t count) {
  if (visible == 0 || count <= visible) return 0;
  first = std::min(first, count - visible);
  if (selected < first) return selected;
  if (selected >= first + visible) return selected + 1 - visible;
  return first;
}

}  // namespace pmctl::monit
