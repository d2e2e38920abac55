#include "core/model/names.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

struct ProblemCase {
  std::string word;
  std::string problem;  ///< "" when the word is a valid name or namespace
};

TEST(Names, NamesAndNamespacesFollowOneSetOfRules) {
  const std::vector<ProblemCase> cases = {
      {"api", ""},
      {"web-2", ""},
      {"svc@eu:1.v2+x_y", ""},
      {"2fa", ""},
      {std::string(100, 'n'), ""},
      {"", "it is empty"},
      {std::string(101, 'n'), "longer than 100 characters"},
      {"a b", "only letters, digits and _ . @ : + - are allowed"},
      {"prod\nfake", "only letters, digits and _ . @ : + - are allowed"},
      {"a\tb", "only letters, digits and _ . @ : + - are allowed"},
      {"a/b", "only letters, digits and _ . @ : + - are allowed"},
      {"h\xc3\xa9", "only letters, digits and _ . @ : + - are allowed"},
      {"-x", "it must not start with '-' or '.'"},
      {".x", "it must not start with '-' or '.'"},
      {"a..b", "'..' is not allowed"},
      {"all", "'all' is reserved, it selects every app"},
      {"1", "digits alone would be read as an id ('pmctl stop 1' means id 1)"},
      {"0042", "digits alone would be read as an id ('pmctl stop 1' means id 1)"},
  };
  for (const auto& c : cases) EXPECT_EQ(name_problem(c.word), c.problem) << c.word;
}

TEST(Names, RefusesABadNamespaceOnOneLineWithAHint) {
  try {
    validate_namespace("prod\n 1 | fake");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "invalid namespace 'prod\\x0a 1 | fake': only letters, digits and _ . @ : + - "
                 "are allowed");
    EXPECT_EQ(e.hint(), "choose a namespace like 'web' or 'jobs-2'");
  }
  EXPECT_THROW(validate_namespace("7"), Error);
  EXPECT_THROW(validate_namespace("all"), Error);
  EXPECT_NO_THROW(validate_namespace("default"));
}

TEST(Names, PrintsControlCharactersEscaped) {
  EXPECT_EQ(printable("a\nb\tc\x7f\x1b[31m"), "a\\x0ab\\x09c\\x7f\\x1b[31m");
  EXPECT_EQ(printable("h\xc3\xa9llo 'x'"), "h\xc3\xa9llo 'x'");
}

}  // namespace
}  // namespace pmctl::core
