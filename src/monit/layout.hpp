#pragma once
// Where monit draws what: pure functions of the terminal's size and the apps, table-tested
// (tests/unit/monit_layout_test.cpp). Nothing here touches the terminal.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::monit {

struct Rect {
  int y = 0, x = 0, h = 0, w = 0;
};

/// The screen: a title line, the apps' table (its header, then one row an app), then the
/// selected app's details beside its log lines. Under 40x10 only `too_small` is set.
struct Layout {
  bool too_small = false;
  Rect title;
  Rect table;    ///< header line included
  Rect details;  ///< w 0 on a narrow screen: the logs take the whole width
  Rect logs;
};

constexpr int kMinRows = 10;
constexpr int kMinCols = 40;

Layout layout_for(int rows, int cols, std::size_t apps);

/// The columns of the apps' table, in order; a column that does not fit is left out.
enum class Column { Id, Name, Status, Cpu, Memory, Restarts, Uptime };

struct ColumnSpec {
  Column column;
  int width;
};

/// Columns that fit `width` (one column for the selection mark and one space between each
/// column included): the name takes what the others leave, within 4..40; uptime, then restarts,
/// then memory are dropped first when the width does not allow a name of 4.
std::vector<ColumnSpec> columns_for(int width);

/// `text` cut to `width` terminal columns (with a 1-column "…" where cut, "~" without UTF-8)
/// and padded with spaces to exactly `width`. Control characters become '?'; without UTF-8,
/// every byte beyond ASCII does too.
std::string fit(std::string_view text, int width, bool utf8 = true);

/// The first row of the table a window of `visible` rows shows so that `selected` is in it,
/// moving as little as possible from `first` (the previous frame's first row).
std::size_t scroll_to(std::size_t selected, std::size_t first, std::size_t visible,
                      std::size_t count);

}  // namespace pmctl::monit
