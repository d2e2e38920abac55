#include "core/model/selectors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

AppRecord app(int id, std::string name, std::string ns, std::string script) {
  AppRecord r;
  r.id = id;
  r.decl.name = std::move(name);
  r.decl.ns = std::move(ns);
  r.decl.script = std::move(script);
  return r;
}

// Built by hand so these tests do not depend on RegistryData's helpers.
RegistryData sample() {
  RegistryData reg;
  reg.apps.push_back(app(0, "api", "web", "/srv/api/server.js"));
  reg.apps.push_back(app(1, "api", "web", "/srv/api/server.js"));
  reg.apps.push_back(app(2, "worker-1", "jobs", "/srv/jobs/worker.py"));
  reg.apps.push_back(app(3, "worker-2", "jobs", "/srv/jobs/worker.py"));
  // Names and namespaces of digits only are refused now; a registry from before may have them.
  reg.apps.push_back(app(5, "455", "default", "/srv/x/x.js"));
  reg.apps.push_back(app(7, "web", "default", "/srv/web/index.js"));
  reg.apps.push_back(app(8, "cron", "2", "/srv/cron/cron.sh"));
  AppRecord shell = app(9, "http", "default", "python3 -m http.server");
  shell.decl.command_string = true;
  reg.apps.push_back(shell);
  reg.next_id = 10;
  return reg;
}

struct TargetCase {
  std::vector<std::string> targets;
  std::string cwd;
  std::vector<int> expected;
};

TEST(Selectors, ResolvesTargetsInPm2Order) {
  const std::vector<TargetCase> cases = {
      {{"all"}, "/", {0, 1, 2, 3, 5, 7, 8, 9}},
      {{"api"}, "/", {0, 1}},
      {{"/^worker-[12]$/"}, "/", {2, 3}},
      {{"/rk/"}, "/", {2, 3}},
      {{"server.js"}, "/srv/api", {0, 1}},
      {{"../jobs/./worker.py"}, "/srv/api", {2, 3}},
      {{"/srv/web/index.js"}, "/tmp", {7}},
      {{"jobs"}, "/", {2, 3}},
      // "web" is both an app name and a namespace: the name wins.
      {{"web"}, "/", {7}},
      // A number is an id, whatever an old registry names "2" or "455".
      {{"5"}, "/", {5}},
      {{"2"}, "/", {2}},
      {{"3"}, "/", {3}},
      {{"/^455$/"}, "/", {5}},
      {{"0"}, "/", {0}},
      {{"worker-2", "api", "3", "worker-1"}, "/", {3, 0, 1, 2}},
      {{"api", "all"}, "/", {0, 1, 2, 3, 5, 7, 8, 9}},
      {{}, "/", {}},
  };
  const RegistryData reg = sample();
  for (const auto& c : cases) {
    EXPECT_EQ(resolve_targets(reg, c.targets, c.cwd), c.expected)
        << ::testing::PrintToString(c.targets) << " in " << c.cwd;
  }
}

TEST(Selectors, DoesNotMatchCommandStringsAsScriptPaths) {
  EXPECT_THROW(resolve_targets(sample(), {"python3 -m http.server"}, "/"), Error);
}

void expect_error(const RegistryData& reg, const std::vector<std::string>& targets,
                  const std::string& what, const std::string& hint) {
  try {
    resolve_targets(reg, targets, "/");
    ADD_FAILURE() << "no exception for " << ::testing::PrintToString(targets);
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), what);
    EXPECT_EQ(e.hint(), hint);
  }
}

TEST(Selectors, ReportsUnknownTargets) {
  const RegistryData reg = sample();
  const std::string list_hint = "see 'pmctl ls' for the registered apps";
  expect_error(reg, {"nope"}, "no app or namespace named 'nope'", list_hint);
  expect_error(reg, {"api", "nope"}, "no app or namespace named 'nope'", list_hint);
  expect_error(reg, {"6"}, "no app with id 6", list_hint);
  expect_error(reg, {"99999999999999999999"}, "no app with id 99999999999999999999", list_hint);
  expect_error(reg, {"/zzz/"}, "no app name matches '/zzz/'", list_hint);
  expect_error(reg, {"455"}, "no app with id 455",
               "a number selects an id; the app '455' has id 5");
  expect_error(reg, {"prod\nfake"},
               "invalid app name or namespace 'prod\\x0afake': only letters, digits and _ . @ : + "
               "- are allowed",
               list_hint);
  expect_error(reg, {"./gone.js"}, "no app or namespace named './gone.js'", list_hint);
  expect_error(RegistryData{}, {"all"}, "no apps registered",
               "start one with 'pmctl start app.js'");
}

TEST(Selectors, RejectsAnInvalidRegex) {
  EXPECT_THROW(resolve_targets(sample(), {"/[a/"}, "/"), Error);
}

TEST(Selectors, TreatsShortSlashWordsAsPlainWords) {
  // "/" and "//" are not regexes; as words they resolve to the path "/", which no app has.
  EXPECT_THROW(resolve_targets(sample(), {"//"}, "/"), Error);
  EXPECT_THROW(resolve_targets(sample(), {"/"}, "/"), Error);
}

TEST(Selectors, ResolvesExactIdsAndNamesOnly) {
  const RegistryData reg = sample();
  EXPECT_EQ(resolve_exact(reg, "api"), (std::vector<int>{0, 1}));
  EXPECT_EQ(resolve_exact(reg, "7"), std::vector<int>{7});
  EXPECT_EQ(resolve_exact(reg, "5"), std::vector<int>{5});
  EXPECT_THROW(resolve_exact(reg, "455"), Error);
  EXPECT_THROW(resolve_exact(reg, "jobs"), Error);
  EXPECT_THROW(resolve_exact(reg, "/api/"), Error);
  EXPECT_THROW(resolve_exact(reg, "all"), Error);
}

TEST(Selectors, ReportsUnknownExactTargets) {
  const RegistryData reg = sample();
  try {
    resolve_exact(reg, "3x");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no app named '3x'");
  }
  try {
    resolve_exact(reg, "4");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no app with id 4");
  }
}

}  // namespace
}  // namespace pmctl::core
