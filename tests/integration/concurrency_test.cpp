// Many pmctl commands at once on the same apps: each is one transaction under the command lock,
// so afterwards the registry and systemd agree (no orphan unit, no duplicate app) and no command
// hung. docs/reliability.md, "Concurrent commands".
#include <gmock/gmock.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "cluster_fixture.hpp"
#include "consistency.hpp"

namespace pmctl::test {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr int kPort = 17450;

struct Outcome {
  int exit_code = -1;
  std::string err;
};

/// Runs every argument list as one pmctl process, all at once; waits for all of them (each may
/// take at most 240 s: exit code 124 means it hung).
std::vector<Outcome> at_once(const std::vector<std::vector<std::string>>& commands) {
  char tmpl[] = "/tmp/pmctl-race-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::ostringstream script;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    script << "( timeout 240 '" << PMCTL_BINARY << "'";
    for (const auto& a : commands[i]) script << " '" << a << "'";
    script << " >/dev/null 2>'" << dir << "/err." << i << "'; echo $? >'" << dir << "/rc." << i
           << "' ) &\n";
  }
  script << "wait\n";
  EXPECT_EQ(sh(script.str()).exit_code, 0);
  std::vector<Outcome> out;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const std::string rc = read_file(dir + "/rc." + std::to_string(i));
    out.push_back({rc.empty() ? -1 : std::stoi(rc), read_file(dir + "/err." + std::to_string(i))});
  }
  std::filesystem::remove_all(dir);
  return out;
}

void expect_none_hung(const std::vector<Outcome>& outcomes) {
  for (const auto& o : outcomes) {
    EXPECT_NE(o.exit_code, 124) << "a command hung: " << o.err;
    EXPECT_NE(o.exit_code, -1) << "a command did not finish";
  }
}

class ConcurrencyTest : public ClusterFixture {};

TEST_F(ConcurrencyTest, TwentyStartsOfOneNameRegisterExactlyOne) {
  const std::string name = unique_name("same");
  const std::vector<std::vector<std::string>> starts(
      20, {"start", app_path("printer.py"), "--name", name});
  const auto outcomes = at_once(starts);
  expect_none_hung(outcomes);
  int won = 0;
  for (const auto& o : outcomes) {
    if (o.exit_code == 0) {
      ++won;
      continue;
    }
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_THAT(o.err, AnyOf(HasSubstr("already running"), HasSubstr("already registered")));
  }
  EXPECT_EQ(won, 1);
  int registered = 0;
  for (const auto& a : jlist()) registered += a["name"] == name;
  EXPECT_EQ(registered, 1);
  EXPECT_EQ(status_of(name), "online");
  expect_registry_equals_units();
}

TEST_F(ConcurrencyTest, DeleteRacingRestartOnTwentyAppsLeavesNoOrphan) {
  const std::string stem = unique_name("dr");
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 20; ++i) {
    const std::string name = stem + "-" + std::to_string(i);
    ASSERT_EQ(pmctl({"start", app_path("printer.py"), "--name", name}).exit_code, 0);
    commands.push_back({"delete", name});
    commands.push_back({"restart", name});
  }
  const auto outcomes = at_once(commands);
  expect_none_hung(outcomes);
  for (std::size_t i = 0; i < outcomes.size(); i += 2) EXPECT_EQ(outcomes[i].exit_code, 0);
  for (const auto& a : jlist())
    EXPECT_THAT(a["name"].get<std::string>(), ::testing::Not(::testing::StartsWith(stem)));
  for (const auto& unit : live_app_units())
    EXPECT_THAT(unit, ::testing::Not(HasSubstr(stem))) << "orphan unit";
  expect_registry_equals_units();
}

TEST_F(ConcurrencyTest, TwentyMixedVerbsOnTheSameAppsLeaveRegistryAndUnitsEqual) {
  const std::string c = unique_name("mixc"), f = unique_name("mixf"), g = unique_name("mixg");
  start_cluster_app("http_instance.js", c, 2, kPort, {});
  ASSERT_EQ(pmctl({"start", app_path("printer.py"), "--name", f}).exit_code, 0);
  ASSERT_EQ(pmctl({"start", app_path("printer.py"), "--name", g}).exit_code, 0);
  const std::string printer = app_path("printer.py");
  const std::vector<std::vector<std::string>> commands = {{"reload", c},
                                                          {"scale", c, "3"},
                                                          {"restart", f},
                                                          {"stop", g},
                                                          {"start", g},
                                                          {"restart", c},
                                                          {"scale", c, "1"},
                                                          {"delete", g},
                                                          {"start", printer, "--name", g},
                                                          {"reload", c},
                                                          {"stop", c},
                                                          {"start", c},
                                                          {"scale", c, "+1"},
                                                          {"restart", f},
                                                          {"delete", f},
                                                          {"start", printer, "--name", f},
                                                          {"reload", f},
                                                          {"restart", c},
                                                          {"scale", c, "2"},
                                                          {"stop", f}};
  const auto outcomes = at_once(commands);
  expect_none_hung(outcomes);
  for (const auto& o : outcomes) EXPECT_THAT(o.exit_code, AnyOf(0, 1)) << o.err;
  expect_registry_equals_units();
  // Whatever order they ran in, the cluster app is registered and a start makes it serve.
  ASSERT_EQ(pmctl({"start", c}).exit_code, 0);
  EXPECT_FALSE(answering(kPort).empty());
  expect_registry_equals_units();
}

TEST_F(ConcurrencyTest, AWaitingCommandSaysSoAndGivesUpWhenTold) {
  const std::string name = unique_name("wait");
  ASSERT_EQ(pmctl({"start", app_path("ignore_sigint.js"), "--name", name, "--kill-timeout", "3000"})
                .exit_code,
            0);
  wait_for_line(name, "ignore_sigint: started");
  // The stop takes 3 s (the app ignores SIGINT): a second command waits, says so, and one told
  // to wait at most 1 s gives up with one line, having changed nothing.
  const Result r = sh("( '" + std::string(PMCTL_BINARY) + "' stop " + name + " & ); sleep 0.5; " +
                      "PMCTL_LOCK_TIMEOUT=2 '" + PMCTL_BINARY + "' restart " + name);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("waiting for the command running now to finish"));
  EXPECT_THAT(r.err, HasSubstr("stop " + name));
  EXPECT_THAT(r.err, HasSubstr("gave up after 2 s"));
  EXPECT_TRUE(eventually([&] { return status_of(name) == "stopped"; }));
  EXPECT_EQ(jlist().size(), 1u);
}

}  // namespace
}  // namespace pmctl::test
