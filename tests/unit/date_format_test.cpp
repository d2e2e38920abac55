#include "core/text/date_format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pmctl::core {
namespace {

/// Tuesday 2024-03-05 07:04:09.042 local, at UTC+01:30; 05:34:09 UTC.
Moment sample(long gmtoff = 90 * 60) {
  Moment m;
  m.local.tm_year = 124;
  m.local.tm_mon = 2;
  m.local.tm_mday = 5;
  m.local.tm_wday = 2;
  m.local.tm_hour = 7;
  m.local.tm_min = 4;
  m.local.tm_sec = 9;
  m.local.tm_gmtoff = gmtoff;
  m.utc = m.local;
  m.utc.tm_hour = 5;
  m.utc.tm_min = 34;
  m.utc.tm_gmtoff = 0;
  m.millis = 42;
  return m;
}

struct Case {
  const char* format;
  const char* expected;
};

TEST(DateFormat, FormatsEveryCommonDayjsToken) {
  const Case cases[] = {
      {"YYYY", "2024"}, {"YY", "24"}, {"MMMM", "March"}, {"MMM", "Mar"},      {"MM", "03"},
      {"M", "3"},       {"DD", "05"}, {"D", "5"},        {"dddd", "Tuesday"}, {"ddd", "Tue"},
      {"dd", "Tu"},     {"d", "2"},   {"HH", "07"},      {"H", "7"},          {"hh", "07"},
      {"h", "7"},       {"mm", "04"}, {"m", "4"},        {"ss", "09"},        {"s", "9"},
      {"SSS", "042"},   {"A", "AM"},  {"a", "am"},       {"Z", "+01:30"},     {"ZZ", "+0130"},
  };
  for (const auto& c : cases) EXPECT_EQ(format_dayjs(c.format, sample()), c.expected) << c.format;
}

TEST(DateFormat, FormatsPm2sTimeFlagAndATypicalLogFormat) {
  EXPECT_EQ(format_dayjs("YYYY-MM-DDTHH:mm:ss", sample()), "2024-03-05T07:04:09");
  EXPECT_EQ(format_dayjs("YYYY-MM-DD HH:mm:ss.SSS Z", sample()), "2024-03-05 07:04:09.042 +01:30");
}

TEST(DateFormat, UsesTwelveHourClockWithPmAfterNoon) {
  Moment m = sample();
  m.local.tm_hour = 0;
  EXPECT_EQ(format_dayjs("h hh A", m), "12 12 AM");
  m.local.tm_hour = 13;
  EXPECT_EQ(format_dayjs("h hh A a H", m), "1 01 PM pm 13");
}

TEST(DateFormat, WritesNegativeOffsetsWithAMinusSign) {
  EXPECT_EQ(format_dayjs("Z ZZ", sample(-(5 * 3600 + 45 * 60))), "-05:45 -0545");
  EXPECT_EQ(format_dayjs("Z", sample(0)), "+00:00");
}

TEST(DateFormat, CopiesBracketedTextAndNonTokensLiterally) {
  EXPECT_EQ(format_dayjs("[YYYY is] YYYY, [at] HH[h]", sample()), "YYYY is 2024, at 07h");
  EXPECT_EQ(format_dayjs("T-/:, x", sample()), "T-/:, x");
  // Unclosed: the bracket is literal and the rest is read as tokens, as dayjs does.
  EXPECT_EQ(format_dayjs("[unclosed YYYY", sample()), "[unclo9e2 2024");
}

TEST(DateFormat, TakesTheLongestTokenFirstLikeDayjs) {
  EXPECT_EQ(format_dayjs("MMMMM", sample()), "March3");
  EXPECT_EQ(format_dayjs("DDD", sample()), "055");
  EXPECT_EQ(format_dayjs("SS", sample()), "SS");  // only SSS is a token
}

TEST(DateFormat, IsoUtcIsJavascriptsToIsoString) {
  EXPECT_EQ(iso_utc(sample()), "2024-03-05T05:34:09.042Z");
}

TEST(DateFormat, MomentOfBreaksDownTheSameInstantInUtcAndLocalTime) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1709616849042));
  const Moment m = moment_of(t);
  EXPECT_EQ(iso_utc(m), "2024-03-05T05:34:09.042Z");
  EXPECT_EQ(m.millis, 42);
}

}  // namespace
}  // namespace pmctl::core
