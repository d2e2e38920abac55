#pragma once
// The text monit shows for an app: its table row, its details (a short `pmctl show`), and a
// log line. Pure, table-tested (tests/unit/monit_layout_test.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/lifecycle/views.hpp"
#include "monit/layout.hpp"

namespace pmctl::monit {

/// The header line of the table, exactly as wide as its columns.
std::string header_line(const std::vector<ColumnSpec>& columns, bool utf8);

/// One app's cells, each fitted to its column's width; `cpu` is the rate since the previous
/// frame ("-" before there is one).
std::vector<std::string> row_cells(const core::AppView& v, std::optional<double> cpu,
                                   const std::vector<ColumnSpec>& columns, bool utf8);

/// key / value pairs of the selected app, the fields of `pmctl show` that matter while watching.
std::vector<std::pair<std::string, std::string>> detail_rows(const core::AppView& v,
                                                             std::optional<double> cpu);

/// "HH:MM:SS message" in local time.
std::string log_text(std::uint64_t realtime_usec, const std::string& message);

}  // namespace pmctl::monit
