// monit's pure parts: the layout of the screen, the table's columns, cells fitted to them, the
// rows of an app, and cpu as a rate between frames.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/base/utf8.hpp"
#include "monit/cpu_rates.hpp"
#include "monit/layout.hpp"
#include "monit/rows.hpp"

namespace pmctl::monit {
namespace {

int total_width(const std::vector<ColumnSpec>& columns) {
  int w = 1;  // the selection mark
  for (const auto& c : columns) w += c.width + 1;
  return w - 1;
}

std::vector<Column> kinds(const std::vector<ColumnSpec>& columns) {
  std::vector<Column> out;
  for (const auto& c : columns) out.push_back(c.column);
  return out;
}

struct ColumnsCase {
  int width;
  std::vector<Column> shown;
  int name_width;
};

TEST(MonitLayout, ColumnsFitTheWidthAndDropTheLeastNeededFirst) {
  using C = Column;
  const std::vector<Column> all = {C::Id,     C::Name,     C::Status, C::Cpu,
                                   C::Memory, C::Restarts, C::Uptime};
  const std::vector<ColumnsCase> cases = {
      {80, all, 36},
      {200, all, 40},  // the name stops at 40; the rest of the line stays empty
      {48, all, 4},
      {47, {C::Id, C::Name, C::Status, C::Cpu, C::Memory, C::Restarts}, 10},
      {41, {C::Id, C::Name, C::Status, C::Cpu, C::Memory, C::Restarts}, 4},
      {40, {C::Id, C::Name, C::Status, C::Cpu, C::Memory}, 7},
      {37, {C::Id, C::Name, C::Status, C::Cpu, C::Memory}, 4},
      {36, {C::Id, C::Name, C::Status, C::Cpu}, 12},
  };
  for (const auto& c : cases) {
    const auto columns = columns_for(c.width);
    EXPECT_EQ(kinds(columns), c.shown) << c.width;
    EXPECT_LE(total_width(columns), c.width) << c.width;
    EXPECT_EQ(columns.at(1).width, c.name_width) << c.width;
  }
}

TEST(MonitLayout, HeaderAndRowsOf80ColumnsAreAtMost80Wide) {
  const auto columns = columns_for(80);
  EXPECT_LE(core::display_width(header_line(columns, true)), 80u);
  EXPECT_THAT(header_line(columns, true), ::testing::HasSubstr("status"));
  core::AppView v;
  v.record.id = 123;
  v.record.decl.name = std::string(100, 'n');
  v.status = core::Status::WaitingRestart;
  v.restarts = 123456;
  std::string line = " ";
  for (const auto& cell : row_cells(v, std::nullopt, columns, true)) line += cell + " ";
  EXPECT_LE(core::display_width(line), 81u);  // the last separator is never drawn
  EXPECT_THAT(line, ::testing::HasSubstr("waiting r…"));
}

struct FitCase {
  std::string text;
  int width;
  bool utf8;
  std::string expected;
};

TEST(MonitLayout, FitCutsWithAnEllipsisAndPadsToTheWidth) {
  const std::vector<FitCase> cases = {
      {"api", 6, true, "api   "},
      {"api", 3, true, "api"},
      {"api-server", 6, true, "api-s…"},
      {"api-server", 6, false, "api-s~"},
      {"", 2, true, "  "},
      {"x", 0, true, ""},
      {"tab\there", 8, true, "tab?here"},
      {"\x1b[31mred", 8, true, "?[31mred"},  // an app's escape cannot paint the screen
      {"héllo", 5, true, "héllo"},
      {"héllo", 5, false, "h?llo"},
      {"日本語", 5, true, "日本…"},  // wide characters: 2 columns each
      {"日本語", 4, true, "日… "},
      {"\xff\xfe", 3, true, "?? "},  // not UTF-8
  };
  for (const auto& c : cases) {
    EXPECT_EQ(fit(c.text, c.width, c.utf8), c.expected) << c.text << " in " << c.width;
    if (c.width > 0) {
      EXPECT_EQ(core::display_width(fit(c.text, c.width, c.utf8)), std::size_t(c.width));
    }
  }
}

struct LayoutCase {
  int rows, cols;
  std::size_t apps;
  int table_h, details_w, logs_x, bottom_h;
};

TEST(MonitLayout, TableTakesAtMostHalfTheRowsAndDetailsSitBesideTheLogs) {
  const std::vector<LayoutCase> cases = {
      {24, 80, 2, 3, 34, 35, 19},     // the header and two apps; details 34 wide, then a divider
      {24, 80, 200, 11, 34, 35, 11},  // many apps: half of the 23 rows under the title
      {24, 80, 0, 2, 34, 35, 20},     // no apps: a line for the "no apps" note
      {30, 100, 3, 4, 40, 41, 24},
      {24, 60, 2, 3, 0, 0, 19},  // narrow: the logs take the whole width
      {10, 40, 50, 4, 0, 0, 4},
  };
  for (const auto& c : cases) {
    const Layout l = layout_for(c.rows, c.cols, c.apps);
    ASSERT_FALSE(l.too_small) << c.rows << "x" << c.cols;
    EXPECT_EQ(l.table.h, c.table_h) << c.rows << "x" << c.cols << " " << c.apps;
    EXPECT_EQ(l.details.w, c.details_w) << c.cols;
    EXPECT_EQ(l.logs.x, c.logs_x) << c.cols;
    EXPECT_EQ(l.logs.h, c.bottom_h) << c.rows;
    EXPECT_EQ(l.logs.x + l.logs.w, c.cols);
    EXPECT_EQ(l.logs.y + l.logs.h, c.rows);          // the last row is used, nothing beyond it
    EXPECT_EQ(l.table.y + l.table.h + 1, l.logs.y);  // one separator line between them
  }
  EXPECT_TRUE(layout_for(9, 80, 1).too_small);
  EXPECT_TRUE(layout_for(24, 39, 1).too_small);
}

TEST(MonitLayout, ScrollKeepsTheSelectionVisibleMovingAsLittleAsPossible) {
  EXPECT_EQ(scroll_to(0, 0, 10, 5), 0u);      // everything fits
  EXPECT_EQ(scroll_to(12, 0, 10, 50), 3u);    // down past the bottom: just enough
  EXPECT_EQ(scroll_to(5, 3, 10, 50), 3u);     // still visible: no move
  EXPECT_EQ(scroll_to(2, 3, 10, 50), 2u);     // up past the top
  EXPECT_EQ(scroll_to(49, 45, 10, 50), 40u);  // never past the end
  EXPECT_EQ(scroll_to(0, 7, 0, 50), 0u);
}

TEST(MonitCpuRates, AreTheCpuTimeBetweenTwoFramesOverTheTimeBetweenThem) {
  CpuRates rates;
  EXPECT_TRUE(rates.next({{1, 100, 5'000'000}, {2, 100, 0}}, 10'000'000).empty());
  // 1 s later: app 1 used 0.25 s of CPU, app 2 1.5 s (two CPUs' worth at times).
  auto r = rates.next({{1, 100, 5'250'000}, {2, 100, 1'500'000}}, 11'000'000);
  EXPECT_DOUBLE_EQ(r.at(1), 25.0);
  EXPECT_DOUBLE_EQ(r.at(2), 150.0);
  // App 1 restarted (a new start time): no rate until its next frame; app 3 is new.
  r = rates.next({{1, 2'000'000, 10'000}, {2, 100, 1'500'000}, {3, 300, 7}}, 12'000'000);
  EXPECT_EQ(r.count(1), 0u);
  EXPECT_DOUBLE_EQ(r.at(2), 0.0);
  EXPECT_EQ(r.count(3), 0u);
  // The start time as read again: a few µs off, the same run.
  r = rates.next({{1, 2'000'000 - 7, 510'000}}, 14'000'000);
  EXPECT_DOUBLE_EQ(r.at(1), 25.0);  // 0.5 s over 2 s
  // App 2 was not sampled last frame (stopped): it starts again from nothing.
  r = rates.next({{2, 100, 1'600'000}}, 15'000'000);
  EXPECT_TRUE(r.empty());
}

TEST(MonitRows, DetailsOfAStoppedAppHaveNoPidCpuOrMemory) {
  core::AppView v;
  v.record.id = 4;
  v.record.decl.name = "api";
  v.unit = "pmctl-api-4.service";
  v.status = core::Status::Stopped;
  v.state.loaded = true;
  v.state.exec_main_code = 1;
  v.state.exec_main_status = 3;
  const auto rows = detail_rows(v, 12.5);
  std::map<std::string, std::string> by_key(rows.begin(), rows.end());
  EXPECT_EQ(by_key["pid"], "N/A");
  EXPECT_EQ(by_key["cpu"], "0%");
  EXPECT_EQ(by_key["memory"], "N/A");
  EXPECT_EQ(by_key["last exit"], "exit code 3");
  EXPECT_EQ(by_key["unit"], "pmctl-api-4.service");
  v.status = core::Status::Online;
  v.state.main_pid = 77;
  v.memory_bytes = 3 * 1024 * 1024;
  const auto online = detail_rows(v, std::nullopt);
  by_key = std::map<std::string, std::string>(online.begin(), online.end());
  EXPECT_EQ(by_key["pid"], "77");
  EXPECT_EQ(by_key["cpu"], "-");  // the first frame: no rate yet
  EXPECT_EQ(by_key["memory"], "3.0mb (cgroup)");
}

}  // namespace
}  // namespace pmctl::monit
