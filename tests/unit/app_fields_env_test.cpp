// The environment app_from_json gives an ecosystem app (PM2's env, env_<name>, filter_env, port).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app_fields_fixture.hpp"
#include "core/fields/app_fields.hpp"

namespace pmctl::core {
namespace {

using json = nlohmann::json;
using test::AppFields;
using test::Env;

TEST_F(AppFields, InheritsTheCallersEnvironmentWithPwdSetToCwd) {
  const Env expected = {
      {"HOME", "/home/me"}, {"LANG", "C.UTF-8"}, {"SECRET_TOKEN", "x"}, {"PWD", srv()}};
  EXPECT_EQ(convert(api({})).decl.env, expected);
}

struct FilterCase {
  json filter;
  Env expected;
};

TEST_F(AppFields, FiltersTheInheritedEnvironmentLikePm2) {
  const std::string pwd = srv();
  const std::vector<FilterCase> cases = {
      {false, {{"HOME", "/home/me"}, {"LANG", "C.UTF-8"}, {"SECRET_TOKEN", "x"}, {"PWD", pwd}}},
      {true, {{"PWD", pwd}}},
      {"SECRET", {{"HOME", "/home/me"}, {"LANG", "C.UTF-8"}, {"PWD", pwd}}},
      {{"TOKEN", "LAN"}, {{"HOME", "/home/me"}, {"PWD", pwd}}},
      {"", {{"HOME", "/home/me"}, {"LANG", "C.UTF-8"}, {"SECRET_TOKEN", "x"}, {"PWD", pwd}}},
  };
  for (const auto& c : cases)
    EXPECT_EQ(convert(api({{"filter_env", c.filter}})).decl.env, c.expected) << c.filter.dump();
}

TEST_F(AppFields, FilterEnvDoesNotRemoveWhatTheFileSets) {
  const auto env = convert(api({{"filter_env", true}, {"env", {{"SECRET_TOKEN", "y"}}}})).decl.env;
  EXPECT_EQ(env, (Env{{"PWD", srv()}, {"SECRET_TOKEN", "y"}}));
}

TEST_F(AppFields, MergesDeployEnvThenEnvThenEnvNameThenPort) {
  ctx_.caller_env = {
      {"A", "caller"}, {"B", "caller"}, {"C", "caller"}, {"D", "caller"}, {"PORT", "1"}};
  ctx_.deploy_env = {{"B", "deploy"}, {"C", "deploy"}, {"D", "deploy"}};
  ctx_.env_name = "production";
  const json app = api({{"env", {{"C", "env"}, {"D", "env"}, {"PORT", 2}}},
                        {"env_production", {{"D", "production"}, {"PORT", 3}}},
                        {"env_staging", {{"D", "staging"}}},
                        {"port", 8080}});
  const Env expected = {{"A", "caller"},     {"B", "deploy"},  {"C", "env"},
                        {"D", "production"}, {"PORT", "8080"}, {"PWD", srv()}};
  const auto out = convert(app);
  EXPECT_EQ(out.decl.env, expected);
  EXPECT_TRUE(out.warnings.empty());
}

TEST_F(AppFields, UsesPlainEnvWithoutAnEnvName) {
  const json app = api({{"env", {{"MODE", "dev"}}}, {"env_production", {{"MODE", "prod"}}}});
  EXPECT_EQ(convert(app).decl.env.at("MODE"), "dev");
}

TEST_F(AppFields, HonoursPortZero) {
  EXPECT_EQ(convert(api({{"port", 0}})).decl.env.at("PORT"), "0");
  EXPECT_EQ(convert(api({{"port", "3000"}})).decl.env.at("PORT"), "3000");
}

TEST_F(AppFields, DeliversValuesAsTextAndObjectsAsJson) {
  const json env = {{"S", "text"},     {"I", 42},      {"F", 1.5},
                    {"T", true},       {"N", nullptr}, {"O", {{"a", 1}, {"b", "x"}}},
                    {"A", {1, "two"}}, {"E", ""}};
  const auto out = convert(api({{"env", env}, {"filter_env", true}}));
  const Env expected = {{"S", "text"},        {"I", "42"},   {"F", "1.5"},
                        {"T", "true"},        {"N", "null"}, {"O", "{\"a\":1,\"b\":\"x\"}"},
                        {"A", "[1,\"two\"]"}, {"E", ""},     {"PWD", srv()}};
  EXPECT_EQ(out.decl.env, expected);
}

TEST_F(AppFields, WarnsWhenTheEnvNameHasNoSection) {
  ctx_.env_name = "production";
  const auto out = convert(api({{"env", {{"MODE", "dev"}}}}));
  EXPECT_EQ(out.decl.env.at("MODE"), "dev");
  EXPECT_EQ(out.warnings, (std::vector<std::string>{
                              "eco.json: app 'api': --env 'production' given but the app has "
                              "no env_production, ignoring"}));
}

TEST_F(AppFields, RefusesAnEnvSectionThatIsNotAnObject) {
  ctx_.env_name = "production";
  EXPECT_EQ(error_of(api({{"env_production", {"A=1"}}})),
            "eco.json: app 'api': field 'env_production' must be an object, got [\"A=1\"]");
}

TEST_F(AppFields, WarnsAboutVariablesSystemdCannotPass) {
  const auto out = convert(api({{"env", {{"MY-VAR", "1"}, {"OK", "1"}, {"BAD", "a\xff"}}}}));
  EXPECT_EQ(out.decl.env.at("OK"), "1");
  EXPECT_FALSE(out.decl.env.contains("MY-VAR"));
  EXPECT_FALSE(out.decl.env.contains("BAD"));
  EXPECT_EQ(
      out.warnings,
      (std::vector<std::string>{
          "eco.json: app 'api': env: the value of 'BAD' is not valid UTF-8 or contains NUL, "
          "ignoring",
          "eco.json: app 'api': env: 'MY-VAR' is not a valid environment variable name, ignoring",
      }));
}

TEST_F(AppFields, GivesTheRunAsUserItsHomeUnlessTheFileSetsOne) {
  ctx_.root = true;
  auto env = convert(api({{"uid", "root"}})).decl.env;
  EXPECT_EQ(env.at("HOME"), "/root");
  EXPECT_EQ(env.at("USER"), "root");
  env = convert(api({{"uid", "root"}, {"env", {{"HOME", "/srv"}}}})).decl.env;
  EXPECT_EQ(env.at("HOME"), "/srv");
}

}  // namespace
}  // namespace pmctl::core
