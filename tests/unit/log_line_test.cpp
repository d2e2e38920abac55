#include "core/text/log_line.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pmctl::core {
namespace {

Moment sample() {
  Moment m;
  m.local.tm_year = 124;
  m.local.tm_mon = 2;
  m.local.tm_mday = 5;
  m.local.tm_hour = 7;
  m.local.tm_min = 4;
  m.local.tm_sec = 9;
  m.utc = m.local;
  m.millis = 42;
  return m;
}

TEST(LogLine, WritesTheBareLineWithoutAStyle) {
  EXPECT_EQ(format_line({}, "hello", false, sample()), "hello\n");
  EXPECT_EQ(format_line({}, "", true, sample()), "\n");
}

TEST(LogLine, PrefixesTheDateAndAColonLikePm2) {
  LineStyle style;
  style.date_format = "YYYY-MM-DD HH:mm";
  EXPECT_EQ(format_line(style, "hello", false, sample()), "2024-03-05 07:04: hello\n");
}

TEST(LogLine, WritesPm2sJsonObjectWithItsKeyOrder) {
  LineStyle style;
  style.json = true;
  style.app_name = "api";
  style.id = 3;
  EXPECT_EQ(format_line(style, "boom \"x\"", true, sample()),
            R"({"message":"boom \"x\"\n","timestamp":"2024-03-05T07:04:09.042Z",)"
            R"("type":"err","process_id":3,"app_name":"api"})"
            "\n");
}

TEST(LogLine, UsesTheDateFormatForTheJsonTimestamp) {
  LineStyle style;
  style.json = true;
  style.date_format = "HH:mm";
  const auto j = nlohmann::json::parse(format_line(style, "hi", false, sample()));
  EXPECT_EQ(j["timestamp"], "07:04");
  EXPECT_EQ(j["type"], "out");
}

TEST(LogLine, ReplacesInvalidUtf8InJsonInsteadOfFailing) {
  LineStyle style;
  style.json = true;
  const auto j = nlohmann::json::parse(format_line(style,
                                                   "a\xff"
                                                   "b",
                                                   false, sample()));
  EXPECT_EQ(j["message"],
            "a\xef\xbf\xbd"
            "b\n");
}

// journald splits a stdout stream at NUL bytes and after LineMax bytes, not only at newlines
// (checked on 252: "a\0b\n" is two entries, the first with _LINE_BREAK=nul).
TEST(LogLineJournalEnd, JoinsAtANulShownEscapedAndAtLineMax) {
  const struct {
    const char* line_break;
    bool exact;
    bool joins;
    std::string tail;
  } cases[] = {
      {"", false, false, ""},
      {"nul", false, true, "\\x00"},
      {"nul", true, true, std::string(1, '\0')},
      {"line-max", false, true, ""},
      {"eof", false, false, ""},
      {"pid-change", true, false, ""},
  };
  for (const auto& c : cases) {
    const LineEnd end = journal_line_end(c.line_break, c.exact);
    EXPECT_EQ(end.joins, c.joins) << c.line_break;
    EXPECT_EQ(end.tail, c.tail) << c.line_break;
  }
}

}  // namespace
}  // namespace pmctl::core
