// Terminal columns of table cells (core/utf8.cpp): what the `ls` table pads and truncates by.
#include "core/base/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {
namespace {

struct WidthCase {
  std::string_view text;
  std::size_t columns;
  const char* what;
};

TEST(Utf8Test, DisplayWidthCountsTerminalColumns) {
  const std::vector<WidthCase> cases = {
      {"", 0, "empty"},
      {"api-server", 10, "ASCII"},
      {"caf\u00e9", 4, "precomposed e-acute, two bytes"},
      {"cafe\u0301", 4, "e and a combining acute accent: the accent takes no column"},
      {"\u540d\u524d", 4, "CJK: two columns each"},
      {"\u540d\u524d-api", 8, "CJK and ASCII"},
      {"\U0001F680", 2, "emoji (rocket)"},
      {"ok \u2713", 4, "a narrow symbol"},
      {"\033[32monline\033[0m", 6, "colour escapes take none"},
      {"a\tb\x7f", 2, "control characters take none"},
      {"a\xff!", 3, "a byte that is not UTF-8 takes one"},
  };
  for (const auto& c : cases) EXPECT_EQ(display_width(c.text), c.columns) << c.what;
}

struct TruncateCase {
  std::string_view text;
  std::size_t columns;
  std::string_view expected;
};

TEST(Utf8Test, TruncatesByColumnsBetweenCodePoints) {
  const std::vector<TruncateCase> cases = {
      {"api-server", 3, "api"},
      {"api", 40, "api"},
      {"caf\u00e9s", 4, "caf\u00e9"},
      {"cafe\u0301s", 4, "cafe\u0301"},  // the accent stays with its e
      {"\u540d\u524d", 3, "\u540d"},     // half of a wide character is not shown
      {"\u540d\u524d", 4, "\u540d\u524d"},
      {"\U0001F680x", 1, ""},
      {"", 5, ""},
  };
  for (const auto& c : cases) {
    const std::string_view cut = truncate_to_width(c.text, c.columns);
    EXPECT_EQ(cut, c.expected) << c.text << " to " << c.columns;
    EXPECT_LE(display_width(cut), c.columns);
    EXPECT_EQ(utf8_error_offset(cut), std::string_view::npos) << "a code point was split";
  }
}

// pmctl runs in the "C" locale; the widths come from C.UTF-8 without leaving it set.
TEST(Utf8Test, LeavesTheThreadInTheLocaleItWasIn) {
  ASSERT_EQ(MB_CUR_MAX, 1u);  // the "C" locale: gtest's main does not call setlocale
  EXPECT_EQ(display_width("\u540d\u524d"), 4u);
  EXPECT_EQ(MB_CUR_MAX, 1u);
}

}  // namespace
}  // namespace pmctl::core
