#include "core/units/cron_calendar.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string cron;
  std::vector<std::string> calendar;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      // 5 fields: the seconds are 0.
      {"* * * * *", {"*-*-* *:*:0"}},
      {"0 3 * * *", {"*-*-* 3:0:0"}},
      {"*/5 * * * *", {"*-*-* *:0/5:0"}},
      {"0 */6 * * *", {"*-*-* 0/6:0:0"}},
      {"15,45 9-17 * * *", {"*-*-* 9..17:15,45:0"}},
      {"0 9-17/2 * * *", {"*-*-* 9,11,13,15,17:0:0"}},
      {"1-5/2 * * * *", {"*-*-* *:1,3,5:0"}},
      {"5/15 * * * *", {"*-*-* *:5/15:0"}},
      {"0 0 1 * *", {"*-*-1 0:0:0"}},
      {"0 0 1 1 *", {"*-1-1 0:0:0"}},
      {"0 0 * JAN-MAR *", {"*-1..3-* 0:0:0"}},
      {"0 0 1 jan,jul *", {"*-1,7-1 0:0:0"}},
      {"0 0 * */3 *", {"*-1/3-* 0:0:0"}},
      // Days of the week: numbers, names, 7 = Sunday, ranges.
      {"0 8 * * 1-5", {"Mon..Fri *-*-* 8:0:0"}},
      {"0 8 * * MON-FRI", {"Mon..Fri *-*-* 8:0:0"}},
      {"0 8 * * SUN-WED", {"Mon..Wed,Sun *-*-* 8:0:0"}},
      {"0 8 * * sat,sun", {"Sat,Sun *-*-* 8:0:0"}},
      {"0 8 * * 7", {"Sun *-*-* 8:0:0"}},
      {"0 8 * * 0", {"Sun *-*-* 8:0:0"}},
      {"0 8 * * 5-7", {"Fri..Sun *-*-* 8:0:0"}},
      {"0 8 * * */2", {"Tue,Thu,Sat,Sun *-*-* 8:0:0"}},
      {"0 8 ? * MON", {"Mon *-*-* 8:0:0"}},
      {"0 8 * * ?", {"*-*-* 8:0:0"}},
      // Both days restricted: cron fires on either, so two expressions.
      {"0 0 1,15 * MON", {"*-*-1,15 0:0:0", "Mon *-*-* 0:0:0"}},
      {"30 4 1 * 0-2", {"*-*-1 4:30:0", "Mon,Tue,Sun *-*-* 4:30:0"}},
      // ... unless no month named has that day: then only the weekdays can fire.
      {"0 0 30 2 MON", {"Mon *-2-* 0:0:0"}},
      // 6 fields: PM2's, seconds first.
      {"*/2 * * * * *", {"*-*-* *:*:0/2"}},
      {"0 * * * * *", {"*-*-* *:*:0"}},
      {"10,20,30 0 12 * * *", {"*-*-* 12:0:10,20,30"}},
      {"0 0 0 29 2 *", {"*-2-29 0:0:0"}},
      // Extra blanks, nicknames.
      {"  0   3 * *  * ", {"*-*-* 3:0:0"}},
      {"@daily", {"*-*-* 0:0:0"}},
      {"@hourly", {"*-*-* *:0:0"}},
      {"@weekly", {"Sun *-*-* 0:0:0"}},
      {"@monthly", {"*-*-1 0:0:0"}},
      {"@yearly", {"*-1-1 0:0:0"}},
  };
  return table;
}

TEST(CronCalendar, ConvertsEachPatternOfTheTable) {
  for (const auto& c : cases()) EXPECT_EQ(cron_to_calendar(c.cron), c.calendar) << c.cron;
}

/// Whether `systemd-analyze calendar` accepts `expression`, and its next elapse (empty if never).
bool systemd_accepts(const std::string& expression, std::string& output) {
  const std::string command =
      "TZ=UTC systemd-analyze calendar '" + expression + "' 2>&1";  // no quote in the table
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return false;
  char buf[512];
  output.clear();
  while (fgets(buf, sizeof buf, pipe)) output += buf;
  const int status = pclose(pipe);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(CronCalendar, EveryConvertedExpressionIsOneSystemdAcceptsAndThatElapses) {
  if (access("/usr/bin/systemd-analyze", X_OK) != 0 && access("/bin/systemd-analyze", X_OK) != 0)
    GTEST_SKIP() << "systemd-analyze is not installed";
  for (const auto& c : cases())
    for (const auto& expression : cron_to_calendar(c.cron)) {
      std::string out;
      EXPECT_TRUE(systemd_accepts(expression, out))
          << c.cron << " -> " << expression << ": " << out;
      EXPECT_THAT(out, HasSubstr("Next elapse:")) << expression;
    }
}

struct Bad {
  std::string cron;
  std::string says;
};

TEST(CronCalendar, RefusesBadPatternsNamingTheCronField) {
  const std::vector<Bad> bad = {
      {"", "has 0 fields"},
      {"* * * *", "has 4 fields"},
      {"* * * * * * *", "has 7 fields"},
      {"61 * * * *", "minute '61' is out of range"},
      {"60 * * * * *", "second '60' is out of range"},
      {"* 24 * * *", "hour '24' is out of range"},
      {"* * 0 * *", "day of month '0' is out of range"},
      {"* * 32 * *", "day of month '32'"},
      {"* * * 13 *", "month '13'"},
      {"* * * FOO *", "month 'FOO' has 'FOO' where a number or a name belongs"},
      {"* * * * 8", "day of week '8'"},
      {"* * * * MON-FOO", "day of week 'MON-FOO'"},
      {"*/0 * * * *", "minute '*/0' has a step"},
      {"*/x * * * *", "minute '*/x' has a step"},
      {"5-1 * * * *", "minute '5-1' is a range that runs backwards"},
      {"1,,2 * * * *", "minute '1,,2' has an empty list item"},
      {"* * L * *", "croner's L, W or #"},
      {"* * * * 5#2", "croner's L, W or #"},
      {"* * 15W * *", "croner's L, W or #"},
      {"-1 * * * *", "minute '-1'"},
      {"a b c d e", "minute 'a'"},
      {"0 0 30 2 *", "never fire"},
      {"0 0 31 4,6,9,11 *", "never fire"},
  };
  for (const auto& b : bad) {
    try {
      cron_to_calendar(b.cron);
      ADD_FAILURE() << "accepted: '" << b.cron << "'";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(b.says)) << b.cron;
      EXPECT_THAT(e.what(), HasSubstr("'" + b.cron + "'")) << "the pattern is named";
      EXPECT_FALSE(e.hint().empty());
    }
  }
}

TEST(CronCalendar, AThirtyFirstThatSomeMonthHasIsAccepted) {
  EXPECT_EQ(cron_to_calendar("0 0 31 * *"), std::vector<std::string>{"*-*-31 0:0:0"});
}

}  // namespace
}  // namespace pmctl::core
