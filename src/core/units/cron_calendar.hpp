#pragma once
// PM2's cron_restart pattern (croner: 5 fields, or 6 with the seconds first) as systemd
// calendar expressions for a timer's OnCalendar=. Pure; table-tested, and every expression of
// the table is checked by `systemd-analyze calendar` (tests/unit/cron_calendar_test.cpp).

#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

/// The OnCalendar= expressions of `pattern`: one, or two when both the day of the month and
/// the day of the week are restricted (cron fires when *either* matches; one calendar
/// expression can only say "both", a timer with two fires at the earlier). Fields: `*`, `?`,
/// numbers, names (JAN-DEC, SUN-SAT), lists `a,b`, ranges `a-b`, steps `*/n`, `a-b/n`, `a/n`;
/// day of week 0-7 (0 and 7 are Sunday); and @yearly, @annually, @monthly, @weekly, @daily,
/// @midnight, @hourly. Throws core::Error naming the cron field that is wrong (croner's `L`,
/// `W` and `#` are refused as not supported), and for a pattern that never matches (Feb 30).
std::vector<std::string> cron_to_calendar(std::string_view pattern);

}  // namespace pmctl::core
