#include "core/fields/parse.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

struct NumberCase {
  std::string text;
  std::uint64_t expected;
};

TEST(Parse, ReadsDurationsInMillisecondsOrWithAUnit) {
  const std::vector<NumberCase> cases = {
      {"0", 0},          {"1600", 1600},      {"500ms", 500}, {"2s", 2000},
      {"1.5s", 1500},    {"1.50s", 1500},     {"1m", 60'000}, {"1.5m", 90'000},
      {"1h", 3'600'000}, {"0.5h", 1'800'000}, {"007", 7},     {"0.001s", 1},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_duration_ms(c.text, "--kill-timeout"), c.expected) << c.text;
  }
}

TEST(Parse, RejectsMalformedDurations) {
  const std::vector<std::string> bad = {
      "",
      "abc",
      "-1",
      "+1",
      " 1",
      "1 ",
      "1 s",
      "1.5",
      "1.5ms",
      "1.s",
      ".5s",
      "1..5s",
      "1sec",
      "1S",
      "1d",
      "s",
      "1e3",
      "0.0001s",
      "1s2",
      "18446744073709551616",
      "18446744073709551615s",
  };
  for (const auto& text : bad) {
    EXPECT_THROW(parse_duration_ms(text, "--kill-timeout"), Error) << text;
  }
}

// PM2's CLI --watch-delay is in seconds; a unit may say otherwise.
TEST(Parse, ReadsWatchDelaysInSecondsOrWithAUnit) {
  const std::vector<NumberCase> cases = {
      {"0", 0},       {"1", 1000},  {"0.5", 500},   {"2", 2000},
      {"500ms", 500}, {"3s", 3000}, {"1m", 60'000},
  };
  for (const auto& c : cases)
    EXPECT_EQ(parse_seconds_or_duration_ms(c.text, "--watch-delay"), c.expected) << c.text;
  for (const std::string text : {"", "x", "-1", "1.", "..", "1 s", "1d"})
    EXPECT_THROW(parse_seconds_or_duration_ms(text, "--watch-delay"), Error) << text;
}

TEST(Parse, NamesTheValueAndOptionInDurationErrors) {
  try {
    parse_duration_ms("abc", "--kill-timeout");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "invalid value 'abc' for --kill-timeout: expected a duration");
    EXPECT_EQ(e.hint(), "use milliseconds (1600) or a unit: 500ms, 2s, 1m");
  }
}

TEST(Parse, ReadsSizesWithBinaryUnits) {
  const std::vector<NumberCase> cases = {
      {"0", 0},           {"512", 512},        {"512B", 512},         {"1K", 1024},
      {"1KB", 1024},      {"10k", 10'240},     {"200M", 209'715'200}, {"200mb", 209'715'200},
      {"1G", 1ULL << 30}, {"3GB", 3ULL << 30},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_size_bytes(c.text, "--max-memory-restart"), c.expected) << c.text;
  }
}

TEST(Parse, RejectsMalformedSizes) {
  const std::vector<std::string> bad = {
      "", "M", "-1M", "1.5G", "1 G", " 1G", "1T", "1GiB", "1BB", "abc", "17179869184G",
  };
  for (const auto& text : bad) {
    EXPECT_THROW(parse_size_bytes(text, "--max-memory-restart"), Error) << text;
  }
}

TEST(Parse, ReadsCountsAndRejectsEverythingElse) {
  EXPECT_EQ(parse_count("0", "--max-restarts"), 0u);
  EXPECT_EQ(parse_count("16", "--max-restarts"), 16u);
  EXPECT_EQ(parse_count("18446744073709551615", "-n"), UINT64_MAX);
  for (const char* text : {"", "-1", "+1", "1.0", "1 ", "x", "18446744073709551616"}) {
    EXPECT_THROW(parse_count(text, "--max-restarts"), Error) << text;
  }
}

TEST(Parse, ReadsExitCodesFromSeparateAndCommaSeparatedItems) {
  EXPECT_EQ(parse_exit_codes({"0"}, "--stop-exit-codes"), std::vector<int>{0});
  EXPECT_EQ(parse_exit_codes({"12,42", "255"}, "--stop-exit-codes"),
            (std::vector<int>{12, 42, 255}));
  EXPECT_TRUE(parse_exit_codes({}, "--stop-exit-codes").empty());
}

TEST(Parse, RejectsExitCodesOutsideTheByteRange) {
  for (const char* item : {"256", "-1", "", "12,", ",12", "12,,42", "1 2", "12, 42", "x"}) {
    EXPECT_THROW(parse_exit_codes({item}, "--stop-exit-codes"), Error) << item;
  }
}

TEST(Parse, SplitsAssignmentsAtTheFirstEqualsSign) {
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(parse_assignment("NODE_ENV=production", "--setenv"), Pair("NODE_ENV", "production"));
  EXPECT_EQ(parse_assignment("A=b=c", "--setenv"), Pair("A", "b=c"));
  EXPECT_EQ(parse_assignment("_x1=", "--setenv"), Pair("_x1", ""));
  for (const char* text : {"", "A", "=b", "1A=b", "A B=c", "A-B=c", " A=b"}) {
    EXPECT_THROW(parse_assignment(text, "--setenv"), Error) << text;
  }
}

struct SplitCase {
  std::string text;
  std::vector<std::string> expected;
};

TEST(Parse, SplitsArgumentsOnWhitespaceHonouringQuotes) {
  const std::vector<SplitCase> cases = {
      {"", {}},
      {"   ", {}},
      {"--harmony", {"--harmony"}},
      {"  -a   -b\t-c ", {"-a", "-b", "-c"}},
      {"--title 'my app'", {"--title", "my app"}},
      {"--title \"my app\" x", {"--title", "my app", "x"}},
      {"--a=\"x y\"z", {"--a=x yz"}},
      {"'it\"s' \"it's\"", {"it\"s", "it's"}},
      {"'' x", {"", "x"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(split_args(c.text), c.expected) << c.text;
  }
}

TEST(Parse, RejectsAnUnterminatedQuote) {
  EXPECT_THROW(split_args("--title 'my app"), Error);
  EXPECT_THROW(split_args("\""), Error);
}

}  // namespace
}  // namespace pmctl::core
