#include "core/ecosystem/json5.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;

struct Case {
  std::string text;
  std::string expected;  ///< strict JSON, or the text the error must contain
};

std::string error_of(const std::string& text) {
  try {
    parse_json5(text, "eco.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Json5, ReadsWhatJsonReads) {
  const std::vector<Case> cases = {
      {R"({"apps": [{"name": "a", "script": "a.js", "instances": 2}]})",
       R"({"apps": [{"name": "a", "script": "a.js", "instances": 2}]})"},
      {"[]", "[]"},
      {"{}", "{}"},
      {"true", "true"},
      {"null", "null"},
      {R"("x")", R"("x")"},
      {"-12", "-12"},
      {"[1, 2.5, -0.25, 1e3, 2E-2]", "[1, 2.5, -0.25, 1000, 0.02]"},
      {R"({"a": {"b": [null, false, {}]}})", R"({"a": {"b": [null, false, {}]}})"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(parse_json5(c.text, "eco.json"), json::parse(c.expected)) << c.text;
}

TEST(Json5, ReadsWhatAJavaScriptObjectLiteralAllows) {
  const std::vector<Case> cases = {
      {"{apps: [{name: 'a'}]}", R"({"apps": [{"name": "a"}]})"},
      {"{$x: 1, _y: 2, a1: 3}", R"({"$x": 1, "_y": 2, "a1": 3})"},
      {"{true: 1, null: 2, for: 3}", R"({"true": 1, "null": 2, "for": 3})"},
      {"{1: 'a', 0x10: 'b', 1.50: 'c'}", R"({"1": "a", "16": "b", "1.5": "c"})"},
      {"// PM2 file\n{a: 1} // done", R"({"a": 1})"},
      {"/* a */ {/* b */ a /* c */ : /* d */ 1 /* e */} /* f */", R"({"a": 1})"},
      {"{a: 1,}", R"({"a": 1})"},
      {"[1, 2,]", "[1, 2]"},
      {"[[],{},]", "[[], {}]"},
      {"({a: 1})", R"({"a": 1})"},
      {"(({a: ([1])}))", R"({"a": [1]})"},
      {"{a: 1, a: 2}", R"({"a": 2})"},
      {"\xEF\xBB\xBF{a:\xC2\xA0"
       "1}",
       R"({"a": 1})"},
      {"{a:1}\r\n", R"({"a": 1})"},
      {"\t{\va:\f1}", R"({"a": 1})"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(parse_json5(c.text, "eco.json"), json::parse(c.expected)) << c.text;
}

TEST(Json5, ReadsJavaScriptNumbers) {
  const std::vector<Case> cases = {
      {"0", "0"},
      {"+5", "5"},
      {"-5", "-5"},
      {"- 5", "-5"},
      {".5", "0.5"},
      {"5.", "5"},
      {"-.5", "-0.5"},
      {"1.e2", "100"},
      {"0x1F", "31"},
      {"0XfF", "255"},
      {"-0x10", "-16"},
      {"0o17", "15"},
      {"0b101", "5"},
      {"5.0", "5"},
      {"-0", "0"},
      {"1e-7", "1e-7"},
      {"9007199254740993", "9007199254740992.0"},
      {"12345678901234567890", "1.2345678901234567e19"},
      {"1e400000000000", "(error)"},
  };
  for (const auto& c : cases) {
    if (c.expected == "(error)") {
      EXPECT_THROW(parse_json5(c.text, "eco.json"), Error) << c.text;
      continue;
    }
    EXPECT_EQ(parse_json5(c.text, "eco.json"), json::parse(c.expected)) << c.text;
  }
}

TEST(Json5, GivesIntegersForWholeNumbersAsJsonStringifyWould) {
  EXPECT_TRUE(parse_json5("5.0", "x").is_number_integer());
  EXPECT_TRUE(parse_json5("1e3", "x").is_number_integer());
  EXPECT_TRUE(parse_json5("0.5", "x").is_number_float());
}

TEST(Json5, ReadsJavaScriptStringEscapes) {
  const std::vector<Case> cases = {
      {R"('it\'s')", R"("it's")"},
      {R"("say \"hi\"")", R"("say \"hi\"")"},
      {R"('a"b')", R"("a\"b")"},
      {R"("a'b")", R"("a'b")"},
      {R"('\n\t\r\b\f\v\0')", R"("\n\t\r\b\f\u000b\u0000")"},
      {R"('\\ \/ \a \-')", R"("\\ / a -")"},
      {R"('\x41\xe9')", R"("A\u00e9")"},
      {R"('\u0041\u00E9\u20AC')", R"("A\u00e9\u20ac")"},
      {R"('\uD83D\uDE00')", R"("\ud83d\ude00")"},
      {R"('\u{1F600}\u{41}')", R"("\ud83d\ude00A")"},
      {"'one \\\ntwo'", R"("one two")"},
      {"'one \\\r\ntwo'", R"("one two")"},
      {"'caf\xC3\xA9 \xF0\x9F\x98\x80'", R"("caf\u00e9 \ud83d\ude00")"},
      {"'\\\xC3\xA9'", R"("\u00e9")"},
      {"'a\xE2\x80\xA8"
       "b'",
       R"("a\u2028b")"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(parse_json5(c.text, "eco.json"), json::parse(c.expected)) << c.text;
}

TEST(Json5, RejectsWhatJavaScriptRejectsOrJsonCannotHold) {
  const std::vector<Case> cases = {
      {"", "eco.json:1:1: expected a value, found end of input"},
      {"  ", "1:3: expected a value"},
      {"{a: 1} x", "1:8: expected end of input after the value, found 'x'"},
      {"{a: 1}}", "1:7: expected end of input"},
      {"{a 1}", "1:4: expected ':' after the property name, found '1'"},
      {"{a: 1 b: 2}", "1:7: expected ',' or '}', found 'b'"},
      {"[1 2]", "1:4: expected ',' or ']'"},
      {"[1,,2]", "1:4: expected a value or ']', found ','"},
      {"[,]", "1:2: expected a value or ']'"},
      {"{,}", "1:2: expected a property name or '}', found ','"},
      {"{a: 1,,}", "expected a property name or '}'"},
      {"{a:", "1:4: expected a value, found end of input"},
      {"{\n  a: 1,\n  b: @\n}", "eco.json:3:6: expected a value, found '@'"},
      {"{\r\n  b: @}", "eco.json:2:6:"},
      {"{a: 'caf\xC3\xA9', b: @}", "1:16:"},
      {"{a: Infinity}", "Infinity has no JSON form"},
      {"{a: -Infinity}", "Infinity has no JSON form"},
      {"NaN", "NaN has no JSON form"},
      {"{a: undefined}", "undefined has no JSON form"},
      {"{a: foo}", "found 'foo' (strings need quotes"},
      {"{a: 1 + 2}", "expected ',' or '}', found '+'"},
      {"{a: 'x' + 'y'}", "expected ',' or '}'"},
      {"{a: `t`}", "expected a value, found '`'"},
      {"{a: function() {}}", "found 'function'"},
      {"{a: 'open", "1:5: unterminated string"},
      {"{a: 'line\nbreak'}", "unterminated string"},
      {"/* open", "unterminated /* comment"},
      {"{a: 007}", "numbers cannot start with 0"},
      {"{a: 08}", "numbers cannot start with 0"},
      {"{a: 5px}", "expected a number to end, found 'p'"},
      {"{a: 1.2.3}", "expected a number to end, found '.'"},
      {"{a: 0x}", "expected a hexadecimal digit"},
      {"{a: 0b2}", "expected a binary digit"},
      {"{a: 1e}", "expected a digit in the exponent"},
      {"{a: .}", "expected a digit"},
      {"{a: --1}", "a sign must be followed by a number"},
      {"{a: -'1'}", "a sign must be followed by a number"},
      {"{a: +true}", "a sign must be followed by a number"},
      {R"({a: '\1'})", "octal escapes"},
      {R"({a: '\08'})", "octal escapes"},
      {R"({a: '\xZZ'})", "expected a hexadecimal digit, found 'Z'"},
      {R"({a: '\u12'})", "expected a hexadecimal digit, found '''"},
      {R"({a: '\uD83D'})", "lone UTF-16 surrogate"},
      {R"({a: '\uDE00'})", "lone UTF-16 surrogate"},
      {R"({a: '\u{110000}'})", "beyond U+10FFFF"},
      {R"({a: '\u{}'})", "expected a hexadecimal digit"},
      {"{a: '\\", "expected an escaped character"},
      {"{a: 'caf\xE9'}", "1:9: not valid UTF-8"},
      {"{a: '\xC0\xAF'}", "not valid UTF-8"},
      {"{a: '\xED\xA0\x80'}", "not valid UTF-8"},
      {"{a: (1}", "expected ')', found '}'"},
      {"{a: \x01}", "found byte 0x01"},
      {"{\xC3\xA9: 1}", "found '\xC3\xA9'"},
  };
  for (const auto& c : cases)
    EXPECT_THAT(error_of(c.text), ::testing::HasSubstr(c.expected))
        << c.text << "\n  got: " << error_of(c.text);
}

TEST(Json5, RefusesNestingDeeperThanTheLimit) {
  const int ok = kMaxNesting;
  EXPECT_NO_THROW(parse_json5(std::string(ok, '[') + std::string(ok, ']'), "x"));
  EXPECT_THAT(error_of(std::string(ok + 1, '[') + std::string(ok + 1, ']')),
              ::testing::HasSubstr("nested deeper than 200"));
  EXPECT_THROW(parse_json5(std::string(100000, '('), "x"), Error);
  EXPECT_THROW(parse_json5(std::string(100000, '{'), "x"), Error);
}

TEST(Json5, ErrorsCarryAHintAboutTheSyntax) {
  try {
    parse_json5("{a: b}", "eco.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.hint(), ::testing::HasSubstr("JavaScript object literal"));
  }
}

TEST(Json5, ReadsAPm2EcosystemFileWithComments) {
  const std::string text = R"(// ecosystem.json
{
  apps: [
    {
      name: 'api',           // the API
      script: "./server.js",
      instances: 4,
      env: { NODE_ENV: 'development', PORT: 3000, },
      env_production: { NODE_ENV: 'production' },
    },
  ],
  /* deploy is read too */
  deploy: { production: { env: { A: 1 } } },
}
)";
  const json doc = parse_json5(text, "ecosystem.json");
  EXPECT_EQ(doc["apps"][0]["name"], "api");
  EXPECT_EQ(doc["apps"][0]["env"]["PORT"], 3000);
  EXPECT_EQ(doc["deploy"]["production"]["env"]["A"], 1);
}

}  // namespace
}  // namespace pmctl::core
