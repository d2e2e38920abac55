#include "core/units/unit_names.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

struct EscapeCase {
  std::string input;
  std::string expected;
};

// Expected values were produced by `systemd-escape -- <input>` (systemd 252).
TEST(UnitNames, EscapesLikeSystemdEscape) {
  const std::vector<EscapeCase> cases = {
      {"api", "api"},     {"my-app", "my\\x2dapp"},
      {"a b", "a\\x20b"}, {".hidden", "\\x2ehidden"},
      {"a.b", "a.b"},     {"a..b", "a..b"},
      {"..", "\\x2e."},   {"a@b", "a\\x40b"},
      {"a+b", "a\\x2bb"}, {"a:b_c", "a:b_c"},
      {"123", "123"},     {"a\\b", "a\\x5cb"},
      {"-x", "\\x2dx"},   {"h\xc3\xa9llo", "h\\xc3\\xa9llo"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(escape_unit_component(c.input), c.expected) << "input: " << c.input;
  }
}

TEST(UnitNames, EscapesSlashInsteadOfTurningItIntoADash) {
  EXPECT_EQ(escape_unit_component("x/y"), "x\\x2fy");
}

TEST(UnitNames, AcceptsUsualNamesAndNamesWithDigits) {
  for (const char* name : {"api", "worker-1", "my_app.v2", "svc@eu:1", "a+b", "455a", "1x", "A"}) {
    EXPECT_NO_THROW(validate_app_name(name)) << name;
  }
  EXPECT_NO_THROW(validate_app_name(std::string(kMaxAppNameLength, 'a')));
}

TEST(UnitNames, RejectsInvalidNames) {
  const std::vector<std::string> bad = {
      "",   "a b", "a/b", "a'b",  "a\"b", "h\xc3\xa9llo",        "a\nb", "-a", ".a", "a..b",
      "..", "all", "a$b", "a\\b", "a*",   std::string(101, 'a'), "455",  "0",
  };
  for (const auto& name : bad) {
    EXPECT_THROW(validate_app_name(name), Error) << name;
  }
}

TEST(UnitNames, NamesTheBadNameInQuotesWithAHint) {
  try {
    validate_app_name("a b");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "invalid app name 'a b': only letters, digits and _ . @ : + - are allowed");
    EXPECT_EQ(e.hint(), "choose a name like 'api' or 'worker-1'");
  }
}

TEST(UnitNames, KeepsTheErrorOnOneLineForControlCharacters) {
  try {
    validate_app_name("a\nb");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), ::testing::Not(::testing::HasSubstr("\n")));
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("'a\\x0ab'"));
  }
}

TEST(UnitNames, RefusesANameOfDigitsOnlyBecauseANumberSelectsAnId) {
  try {
    validate_app_name("455");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "invalid app name '455': digits alone would be read as an id ('pmctl stop 1' "
                 "means id 1)");
  }
}

TEST(UnitNames, RejectsNamesTooLongOnceEscaped) {
  // 100 characters, 99 of them dashes: 397 characters once escaped.
  EXPECT_THROW(validate_app_name("a" + std::string(99, '-')), Error);
}

TEST(UnitNames, BuildsServiceAndSliceNames) {
  EXPECT_EQ(service_unit_name("api", 0), "pmctl-api-0.service");
  EXPECT_EQ(service_unit_name("my-app", 12), "pmctl-my\\x2dapp-12.service");
  EXPECT_EQ(app_slice_name("api"), "pmctl-api.slice");
  EXPECT_EQ(app_slice_name("my-app"), "pmctl-my\\x2dapp.slice");
}

TEST(UnitNames, NamesEachSlotsUnit) {
  struct SlotCase {
    Slot slot;
    std::string_view suffix;
    std::string unit;
  };
  const std::vector<SlotCase> cases = {{Slot::A, "", "pmctl-api-3.service"},
                                       {Slot::B, "-b", "pmctl-api-3-b.service"},
                                       {Slot::Saved, "-s", "pmctl-api-3-s.service"}};
  for (const auto& c : cases) {
    EXPECT_EQ(slot_suffix(c.slot), c.suffix) << c.unit;
    EXPECT_EQ(service_unit_name("api", 3, c.slot), c.unit);
  }
}

bool only_unit_name_chars(const std::string& s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ':' || c == '_' || c == '.' || c == '\\' || c == '-';
    if (!ok) return false;
  }
  return true;
}

TEST(UnitNames, KeepsTheLongestValidNamesWithinSystemdLimits) {
  // The worst valid names: 100 characters with as many escaped characters as the check allows.
  std::vector<std::string> names = {std::string(kMaxAppNameLength, 'a')};
  for (char escaped : {'-', '@', '+'}) {
    std::string name(kMaxAppNameLength, 'a');
    for (std::size_t i = 1; i < name.size(); i += 2) {
      name[i] = escaped;
      try {
        validate_app_name(name);
      } catch (const Error&) {
        name[i] = 'a';
        break;
      }
    }
    names.push_back(name);
  }
  for (const auto& name : names) {
    ASSERT_NO_THROW(validate_app_name(name)) << name;
    for (const auto& unit : {service_unit_name(name, 2147483647), app_slice_name(name)}) {
      EXPECT_LE(unit.size(), 255u) << unit;
      EXPECT_TRUE(only_unit_name_chars(unit)) << unit;
    }
  }
}

TEST(UnitNames, ParsesEveryInstanceUnitNameBackAndNothingElse) {
  for (const std::string name : {"api", "my-api", "a.b@c:d+e_f", "x2d", "b", "s", "lb"})
    for (int id : {0, 7, 123456})
      for (Slot slot : {Slot::A, Slot::B, Slot::Saved}) {
        const auto parsed = parse_service_unit_name(service_unit_name(name, id, slot));
        ASSERT_TRUE(parsed.has_value()) << name << " " << id;
        EXPECT_EQ(parsed->app_name, name);
        EXPECT_EQ(parsed->id, id);
        EXPECT_EQ(parsed->slot, slot);
      }
  for (const char* other :
       {"pmctl-api-lb.service", "pmctl-api-lb-s.service", "pmctl-api.slice", "pmctl.target",
        "pmctl-api-0.socket", "other-api-0.service", "pmctl-api-x.service", "pmctl--0.service",
        "pmctl-a\\x2-0.service", "pmctl-a-b-0.service"})
    EXPECT_FALSE(parse_service_unit_name(other).has_value()) << other;
}

}  // namespace
}  // namespace pmctl::core
