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

LineStyle dated() {
  LineStyle style;
  style.date_format = "HH:mm";
  return style;
}

TEST(LineAssembler, WritesWholeLinesAsTheyCompleteAndHoldsTheRest) {
  LineAssembler lines(dated(), false);
  EXPECT_EQ(lines.feed("one\ntw", sample()), "07:04: one\n");
  EXPECT_TRUE(lines.holding());
  EXPECT_EQ(lines.feed("o\n", sample()), "07:04: two\n");
  EXPECT_FALSE(lines.holding());
}

TEST(LineAssembler, ALineFlushedEarlyContinuesWithoutASecondPrefix) {
  LineAssembler lines(dated(), true);
  EXPECT_EQ(lines.feed("Loading", sample()), "");
  EXPECT_EQ(lines.flush(sample()), "07:04: Loading");
  EXPECT_FALSE(lines.holding());
  EXPECT_EQ(lines.flush(sample()), "") << "nothing held, nothing written";
  EXPECT_EQ(lines.feed("...", sample()), "");
  EXPECT_EQ(lines.flush(sample()), "...");
  EXPECT_EQ(lines.feed(" done\nnext\n", sample()), " done\n07:04: next\n");
}

TEST(LineAssembler, FinishWritesWhatIsHeldAndEndsAnOpenLine) {
  LineAssembler held(dated(), false);
  held.feed("no newline", sample());
  EXPECT_EQ(held.finish(sample()), "07:04: no newline\n");
  LineAssembler open(dated(), false);
  open.feed("prompt> ", sample());
  open.flush(sample());
  EXPECT_EQ(open.finish(sample()), "\n");
  LineAssembler closed(dated(), false);
  closed.feed("done\n", sample());
  EXPECT_EQ(closed.finish(sample()), "");
}

TEST(LineAssembler, CutsALineAtTheLimit) {
  LineAssembler lines({}, false);
  const std::string long_line(LineAssembler::kMaxLine, 'x');
  EXPECT_EQ(lines.feed(long_line, sample()), long_line + "\n");
  EXPECT_FALSE(lines.holding());
}

// PM2 writes an object per chunk: a piece's message has no newline, the rest's has.
TEST(LineAssembler, JsonWritesAnObjectPerPieceWithTheNewlineInTheLast) {
  LineStyle style;
  style.json = true;
  LineAssembler lines(style, true);
  lines.feed("part", sample());
  const auto first = nlohmann::json::parse(lines.flush(sample()));
  EXPECT_EQ(first["message"], "part");
  EXPECT_EQ(first["type"], "err");
  const auto rest = nlohmann::json::parse(lines.feed(" two\n", sample()));
  EXPECT_EQ(rest["message"], " two\n");
  lines.feed("x", sample());
  lines.flush(sample());
  EXPECT_EQ(lines.finish(sample()), "") << "no empty object at the end";
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
