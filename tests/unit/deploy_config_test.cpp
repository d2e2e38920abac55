#include "core/remote/deploy_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json section(const std::string& extra = "") {
  std::string text =
      R"({"production": {"user": "deploy", "host": "web1", "ref": "origin/main",
          "repo": "git@example.org:me/app.git", "path": "/srv/app")";
  text += extra;
  text += "}, \"staging\": {}}";
  return json::parse(text);
}

TEST(DeployConfigTest, ReadsPm2sFields) {
  const json deploy = section(R"(, "host": ["web1", "bob@web2:2222"], "port": 22,
      "ssh_options": ["StrictHostKeyChecking=no"], "key": "~/.ssh/deploy",
      "forward-agent": "yes", "fetch": "fast", "pre-setup": "apt-get install git",
      "post-deploy": "npm ci", "env": {"node_env": "production", "workers": 4})");
  const DeployTarget t = deploy_target(deploy, "production", "eco.json");
  ASSERT_EQ(t.hosts.size(), 2u);
  EXPECT_EQ(t.hosts[0].user, "deploy");
  EXPECT_EQ(t.hosts[0].port, "22");
  EXPECT_EQ(t.hosts[0].label, "web1");
  EXPECT_EQ(t.hosts[1].user, "bob");
  EXPECT_EQ(t.hosts[1].port, "2222");
  EXPECT_EQ(t.remote, "origin");
  EXPECT_EQ(t.branch, "main");
  EXPECT_EQ(t.path, "/srv/app");
  EXPECT_TRUE(t.shallow);
  EXPECT_TRUE(t.forward_agent);
  EXPECT_EQ(t.pre_setup, "apt-get install git");
  EXPECT_EQ(t.post_deploy, "npm ci");
  const std::vector<std::pair<std::string, std::string>> env = {{"NODE_ENV", "production"},
                                                                {"WORKERS", "4"}};
  EXPECT_EQ(t.env_vars, env);
  const std::vector<std::string> extra = {"-o", "StrictHostKeyChecking=no", "-i",
                                          "/home/me/.ssh/deploy", "-A"};
  EXPECT_EQ(deploy_ssh_extra(t, "/home/me"), extra);
}

TEST(DeployConfigTest, ABranchMayHaveSlashesAndAPathLosesItsTrailingSlash) {
  const DeployTarget t = deploy_target(
      section(R"(, "ref": "upstream/feature/x", "path": "/srv/app/")"), "production", "f");
  EXPECT_EQ(t.remote, "upstream");
  EXPECT_EQ(t.branch, "feature/x");
  EXPECT_EQ(t.path, "/srv/app");
  EXPECT_FALSE(t.shallow);
  EXPECT_TRUE(deploy_ssh_extra(t, "/home/me").empty());
}

struct BadCase {
  std::string extra;  ///< fields that replace the good ones
  std::string env;
  std::string message;
};

TEST(DeployConfigTest, RefusesBadInputWithExitTwo) {
  const std::vector<BadCase> cases = {
      {"", "prod", "no deploy environment 'prod'"},
      {R"(, "host": "")", "production", "deploy.production.host is missing"},
      {R"(, "host": [])", "production", "deploy.production.host is missing"},
      {R"(, "host": ["a", 2])", "production", "must be a string or an array of strings"},
      {R"(, "host": "bad host")", "production", "host is wrong: bad host"},
      {R"(, "host": ["a", "a"])", "production", "lists 'a' twice"},
      {R"(, "repo": null)", "production", "deploy.production.repo is missing"},
      {R"(, "path": "srv/app")", "production", "'srv/app' is not an absolute path"},
      {R"(, "path": "/")", "production", "must not be /"},
      {R"(, "ref": "main")", "production", "'main' is not <remote>/<branch>"},
      {R"(, "ref": "origin/")", "production", "is not <remote>/<branch>"},
      {R"(, "ref": "origin/a b")", "production", "blank or control character"},
      {R"(, "ref": "origin/-x")", "production", "looks like an option"},
      {R"(, "port": 70000)", "production", "port must be a number"},
      {R"(, "fetch": "slow")", "production", "'slow' is neither 'fast' nor 'full'"},
      {R"(, "forward-agent": 1)", "production", "forward-agent must be true or false"},
      {R"(, "post-deploy": ["npm ci"])", "production", "post-deploy must be a string"},
      {R"(, "env": {"a-b": 1})", "production", "'a-b' is no variable name"},
      {R"(, "env": [1])", "production", "env must be an object"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.extra + " " + c.env);
    try {
      deploy_target(section(c.extra), c.env, "eco.json");
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.message));
      EXPECT_EQ(e.exit_code(), 2);
    }
  }
}

TEST(DeployConfigTest, AMissingEnvListsTheOnesThereAre) {
  try {
    deploy_target(section(), "prod", "eco.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.hint(), "it has: production, staging");
  }
  EXPECT_THROW(deploy_target(json(), "production", "eco.json"), Error);
}

TEST(DeployConfigTest, CommandWordsAreParsedAsPm2Does) {
  EXPECT_EQ(parse_deploy_command({}).action, DeployAction::kUpdate);
  EXPECT_EQ(parse_deploy_command({"update"}).action, DeployAction::kUpdate);
  EXPECT_EQ(parse_deploy_command({"setup"}).action, DeployAction::kSetup);
  EXPECT_EQ(parse_deploy_command({"curr"}).action, DeployAction::kCurrent);
  EXPECT_EQ(parse_deploy_command({"current"}).action, DeployAction::kCurrent);
  EXPECT_EQ(parse_deploy_command({"prev"}).action, DeployAction::kPrevious);
  EXPECT_EQ(parse_deploy_command({"previous"}).action, DeployAction::kPrevious);
  EXPECT_EQ(parse_deploy_command({"list"}).action, DeployAction::kList);
  EXPECT_EQ(parse_deploy_command({"revert"}).revert_count, 1);
  EXPECT_EQ(parse_deploy_command({"revert", "3"}).revert_count, 3);
  EXPECT_EQ(parse_deploy_command({"exec", "npm test"}).exec, "npm test");
  EXPECT_EQ(parse_deploy_command({"run", "ls", "-l"}).exec, "ls -l");
  EXPECT_TRUE(deploy_action_changes(DeployAction::kRevert));
  EXPECT_FALSE(deploy_action_changes(DeployAction::kList));
}

TEST(DeployConfigTest, BadCommandWordsAreUsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"deploy"}, {"revert", "0"}, {"revert", "-1"}, {"revert", "x"},
      {"exec"},   {"exec", ""},    {"setup", "now"}, {"revert", "1", "2"}};
  for (const auto& words : bad) {
    SCOPED_TRACE(words[0]);
    try {
      parse_deploy_command(words);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), 2);
    }
  }
}

}  // namespace
}  // namespace pmctl::core
