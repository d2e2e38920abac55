#include "core/ecosystem/yaml_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/ecosystem/json5.hpp"
#include "core/ecosystem/yaml_scalar.hpp"
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
    parse_yaml(text, "eco.yml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Each expectation was checked against js-yaml 4.1 (PM2's YAML reader): load("a: " + text).a.
TEST(YamlScalar, ResolvesPlainScalarsLikeJsYaml) {
  const std::vector<Case> cases = {
      {"", "null"},
      {"~", "null"},
      {"null", "null"},
      {"Null", "null"},
      {"NULL", "null"},
      {"true", "true"},
      {"True", "true"},
      {"TRUE", "true"},
      {"false", "false"},
      {"FALSE", "false"},
      {"tRue", "\"tRue\""},
      {"yes", "\"yes\""},
      {"no", "\"no\""},
      {"on", "\"on\""},
      {"0", "0"},
      {"-0", "0"},
      {"+5", "5"},
      {"0755", "755"},
      {"00", "0"},
      {"0x1F", "31"},
      {"-0x10", "-16"},
      {"0o17", "15"},
      {"0b101", "5"},
      {"-0b1", "-1"},
      {"0X1F", "\"0X1F\""},
      {"0B1", "\"0B1\""},
      {"0x", "\"0x\""},
      {"1_000", "\"1_000\""},
      {"0x1_F", "\"0x1_F\""},
      {"1.5", "1.5"},
      {"1.", "1"},
      {".5", "0.5"},
      {"-1.5", "-1.5"},
      {"1e3", "1000"},
      {"1.5E+3", "1500"},
      {"12e03", "12000"},
      {".5e3", "500"},
      {"1e-400", "0"},
      {"-.5", "\"-.5\""},
      {"+.5", "\"+.5\""},
      {"1e", "\"1e\""},
      {"1.2.3", "\"1.2.3\""},
      {"1e400", "\"1e400\""},
      {"1:20", "\"1:20\""},
      {"9999999999999999999", "1e19"},
      {"2001-12-14", "\"2001-12-14\""},
      {"hello world", "\"hello world\""},
  };
  for (const auto& c : cases) {
    const PlainScalar s = resolve_plain_scalar(c.text);
    EXPECT_FALSE(s.infinite_or_nan) << c.text;
    EXPECT_EQ(s.value, json::parse(c.expected)) << c.text;
  }
}

TEST(YamlScalar, FlagsInfinityAndNan) {
  for (const char* text : {".inf", "-.inf", "+.Inf", ".INF", ".nan", ".NaN", ".NAN"})
    EXPECT_TRUE(resolve_plain_scalar(text).infinite_or_nan) << text;
  EXPECT_FALSE(resolve_plain_scalar("-.nan").infinite_or_nan);
}

TEST(Yaml, ConvertsDocumentsToJson) {
  const std::vector<Case> cases = {
      {"apps:\n  - name: api\n    script: server.js\n    instances: 4\n",
       R"({"apps": [{"name": "api", "script": "server.js", "instances": 4}]})"},
      {"- a\n- 'true'\n- \"1\"\n- true\n- 1\n- ~\n", R"(["a", "true", "1", true, 1, null])"},
      {"a: {b: [1, 2], c: x}", R"({"a": {"b": [1, 2], "c": "x"}})"},
      {"a:\n", R"({"a": null})"},
      {"a: |\n  line1\n  line2\n", R"({"a": "line1\nline2\n"})"},
      {"a: >-\n  one\n  two\n", R"({"a": "one two"})"},
      {"1: a\ntrue: b\n~: c\n0x10: d\n1.5: e",
       R"({"1":"a","16":"d","true":"b","null":"c","1.5":"e"})"},
      {"a: !!str 123\nb: !!int \"42\"\nc: !!float 1", R"({"a":"123","b":42,"c":1})"},
      {"base: &b {x: 1}\napp: *b", R"({"base": {"x": 1}, "app": {"x": 1}})"},
      {"b: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd:\n  y: 4\n  <<: [*b, {z: 5}]\n",
       R"({"b":{"x":1,"y":2},"c":{"x":1,"y":3},"d":{"y":4,"x":1,"z":5}})"},
      {"'<<': {a: 1}", R"({"<<": {"a": 1}})"},
      {"# only a comment\n", "null"},
      {"", "null"},
      {"---\na: 1\n...\n", R"({"a": 1})"},
      {"a: caf\xC3\xA9", R"({"a": "caf\u00e9"})"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(parse_yaml(c.text, "eco.yml"), json::parse(c.expected)) << c.text;
}

TEST(Yaml, RejectsWhatJsYamlRejectsOrJsonCannotHold) {
  const std::vector<Case> cases = {
      {"a: [1, 2", "eco.yml:"},
      {"a: 1\na: 2", "eco.yml:2:1: duplicate key 'a'"},
      {"a: 1\n---\nb: 2", "more than one YAML document"},
      {"a: .inf", "1:4: '.inf' has no JSON form"},
      {"? [1, 2]\n: x", "keys must be plain values"},
      {"a: !!int abc", "'abc' is not a valid !!int"},
      {"a: !!binary aGVsbG8=", "unsupported YAML tag 'tag:yaml.org,2002:binary'"},
      {"a: !custom 1", "unsupported YAML tag '!custom'"},
      {"a: !!set {x}", "unsupported YAML tag"},
      {"a:\n  <<: 1", "a '<<' merge key needs a map or a list of maps"},
      {"a: caf\xE9", "eco.yml:1:7: not valid UTF-8"},
      {"a: \x01", "eco.yml:1:4: YAML does not allow control characters"},
      {std::string("a: b\0", 5), "1:5: YAML does not allow control characters"},
      {"a: \fb", "YAML does not allow control characters"},
      {"a: b\x7F", "YAML does not allow control characters"},
      {"a: \xC2\x9F", "YAML does not allow control characters"},
      {"a: \xEF\xBF\xBE", "YAML does not allow control characters"},
      {"a: \"\\uD800\"", "eco.yml:1:"},
      {"a: *nothing", "eco.yml:"},
      {"\ta: 1", "eco.yml:"},
  };
  for (const auto& c : cases)
    EXPECT_THAT(error_of(c.text), ::testing::HasSubstr(c.expected))
        << c.text << "\n  got: " << error_of(c.text);
}

TEST(Yaml, RefusesAliasesThatExpandBeyondTheLimit) {
  // The billion laughs: each level lists the previous one ten times.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = '1'; level <= '9'; ++level) {
    const char previous = static_cast<char>(level - 1);
    text.append("a").push_back(level);
    text.append(": &a").push_back(level);
    text.append(" [");
    for (int i = 0; i < 10; ++i) text.append(i ? ", *a" : "*a").push_back(previous);
    text.append("]\n");
  }
  EXPECT_THAT(error_of(text), ::testing::HasSubstr("expands to more than 100000 values"))
      << error_of(text);
}

TEST(Yaml, RefusesNestingDeeperThanTheLimit) {
  const int ok = kMaxNesting;
  EXPECT_NO_THROW(parse_yaml(std::string(ok, '[') + std::string(ok, ']'), "x"));
  EXPECT_THAT(error_of(std::string(ok + 1, '[') + std::string(ok + 1, ']')),
              ::testing::HasSubstr("nested deeper"));
  EXPECT_THROW(parse_yaml(std::string(100000, '['), "x"), Error);
}

// Found by tests/fuzz: yaml-cpp 0.7's LoadAll() loops forever, eating memory, on these.
TEST(Yaml, ReturnsFromInputThatLoopsYamlCppsLoadAll) {
  for (const char* text : {",", ", &x", ",x: &xt", ", !x", ", *x"})
    EXPECT_EQ(parse_yaml(text, "x"), nullptr) << text;
  EXPECT_THROW(parse_yaml(std::string(",\0:e@\0a\fpp &\0t", 14), "x"), Error);  // controls
}

TEST(Yaml, RefusesAnAliasInsideItsOwnAnchor) {
  EXPECT_THROW(parse_yaml("a: &x [*x]", "x"), Error);
  EXPECT_THROW(parse_yaml("a: &x {b: *x}", "x"), Error);
}

}  // namespace
}  // namespace pmctl::core
