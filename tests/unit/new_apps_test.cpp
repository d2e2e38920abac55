#include "core/lifecycle/new_apps.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/types/error.hpp"
#include "lifecycle_parts_fixture.hpp"

namespace pmctl::test {
namespace {

using NewAppsTest = PartsTest;

core::ConvertedApp converted(core::AppDecl decl) {
  core::ConvertedApp app;
  app.decl = std::move(decl);
  return app;
}

TEST_F(NewAppsTest, ApplyingAFileRegistersAndStartsEveryApp) {
  const auto applied = new_apps_.apply({converted(decl("a")), converted(decl("b"))}, false, false);
  EXPECT_TRUE(applied.warnings.empty());
  using Outcome = std::pair<std::string, std::string>;
  EXPECT_EQ(applied.apps, (std::vector<Outcome>{{"a", "started"}, {"b", "started"}}));
  EXPECT_EQ(new_apps_.apply({converted(decl("a"))}, false, false).apps,
            (std::vector<Outcome>{{"a", "restarted"}}));
  EXPECT_EQ(registry_.load().apps.size(), 2u);
  EXPECT_EQ(manager_.units.count("pmctl-a-0.service"), 1u);
  EXPECT_EQ(manager_.units.count("pmctl-b-1.service"), 1u);
}

TEST_F(NewAppsTest, AFailedAppOfAFileRemovesTheAppsTheFileRegisteredAndKeepsTheOthers) {
  const int kept = new_apps_.start_fork(decl("kept"), false);
  manager_.fail_unit = "pmctl-c-2.service";
  EXPECT_THROW(
      new_apps_.apply({converted(decl("kept")), converted(decl("b")), converted(decl("c"))}, false,
                      false),
      core::ManagerError);
  const auto data = registry_.load();
  ASSERT_EQ(data.apps.size(), 1u);
  EXPECT_EQ(data.apps[0].id, kept);
  EXPECT_EQ(manager_.units.count("pmctl-b-1.service"), 0u);
  EXPECT_EQ(manager_.units.count("pmctl-kept-0.service"), 1u);
}

TEST_F(NewAppsTest, ARegisteredAppGetsTheFilesDeclarationAndRestarts) {
  const int id = new_apps_.start_fork(decl("a"), false);
  core::AppDecl changed = decl("a");
  changed.env["MODE"] = "file";
  new_apps_.apply({converted(changed)}, false, false);
  EXPECT_EQ(registry_.load().find(id)->decl.env.at("MODE"), "file");
  EXPECT_EQ(registry_.load().apps.size(), 1u);
}

}  // namespace
}  // namespace pmctl::test
