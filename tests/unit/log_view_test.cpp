#include "core/text/log_view.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/text/log_line.hpp"

namespace pmctl::core {
namespace {

/// 2026-12-05T06:01:02.345678Z.
constexpr std::uint64_t kUsec = 1796450462345678ULL;

/// Runs the test in a time zone of its choosing (local times depend on TZ), then puts it back.
class TimeZone {
 public:
  explicit TimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~TimeZone() {
    if (old_)
      setenv("TZ", old_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

ViewLine sample(bool is_err = false) {
  return {.realtime_usec = kUsec, .is_err = is_err, .id = 3, .app_name = "api", .message = "hi"};
}

TEST(LogView, JsonHasPm2sKeysInOrderAndUtcMilliseconds) {
  const TimeZone tz("IST-5:30");  // UTC+05:30: the timestamp stays in UTC
  EXPECT_EQ(json_view(sample()),
            R"({"message":"hi","timestamp":"2026-12-05T06:01:02.345Z","type":"out",)"
            R"("process_id":3,"app_name":"api"})");
  EXPECT_EQ(nlohmann::json::parse(json_view(sample(true)))["type"], "err");
}

TEST(LogView, JsonReplacesBytesThatAreNotUtf8) {
  ViewLine line = sample();
  line.message = "a\xff";
  EXPECT_EQ(nlohmann::json::parse(json_view(line))["message"], "a\xEF\xBF\xBD");
}

TEST(LogView, KeyValuesAsPm2sFormatFlag) {
  const TimeZone tz("UTC0");
  EXPECT_EQ(key_value_view(sample(), kKeyValueTimestampFormat, false),
            "timestamp=2026-12-05-06:01:02+0000 app=api id=3 type=out message=hi");
  EXPECT_EQ(key_value_view(sample(true), "HH:mm", false),
            "timestamp=06:01 app=api id=3 type=error message=hi");
  EXPECT_EQ(key_value_view(sample(true), kKeyValueTimestampFormat, true), "message=hi");
}

TEST(LogView, TimestampsAreLocalTime) {
  const TimeZone tz("IST-5:30");
  EXPECT_EQ(format_dayjs(kTimestampFormat, moment_of_usec(kUsec)), "2026-12-05-11:31:02");
  EXPECT_EQ(format_dayjs("SSS", moment_of_usec(kUsec)), "345");
}

TEST(LogView, DateFormatOfTheViewBeatsTimeWhichBeatsTheAppsOwn) {
  EXPECT_EQ(view_date_format("", "", false), "");
  EXPECT_EQ(view_date_format("HH:mm", "", false), "HH:mm");
  EXPECT_EQ(view_date_format("HH:mm", "", true), kTimeFlagFormat);
  EXPECT_EQ(view_date_format("HH:mm", "YYYY", true), "YYYY");
  EXPECT_EQ(view_date_format("", "YYYY", false), "YYYY");
}

TEST(LogView, DatePrefixIsPm2sDateAndColon) {
  const TimeZone tz("UTC0");
  EXPECT_EQ(date_prefix(kTimeFlagFormat, moment_of_usec(kUsec)), "2026-12-05T06:01:02: ");
  EXPECT_EQ(date_prefix("", moment_of_usec(kUsec)), "");
}

TEST(LogView, MarksEveryOccurrenceOfTheWord) {
  EXPECT_EQ(mark_all("an error, another error", "error", "<", ">"), "an <error>, another <error>");
  EXPECT_EQ(mark_all("aaa", "aa", "<", ">"), "<aa>a");
  EXPECT_EQ(mark_all("nothing here", "error", "<", ">"), "nothing here");
  EXPECT_EQ(mark_all("text", "", "<", ">"), "text");
  EXPECT_EQ(mark_all("", "x", "<", ">"), "");
}

}  // namespace
}  // namespace pmctl::core
