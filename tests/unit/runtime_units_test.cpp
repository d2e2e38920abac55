#include "core/lifecycle/runtime_units.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/files.hpp"
#include "core/units/boot_units.hpp"
#include "lifecycle_parts_fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

core::UnitSpec service(const std::string& name) {
  core::UnitSpec spec;
  spec.name = name;
  spec.properties.push_back(
      {"ExecStartEx", std::vector<core::ExecCommand>{{"/bin/true", {"/bin/true"}, {}}}});
  return spec;
}

using RuntimeUnitsTest = PartsTest;

TEST_F(RuntimeUnitsTest, AStartedTransientUnitGetsItsCommandsAsARuntimeDropIn) {
  units_.start_transient(service("pmctl-a-0.service"));
  const auto text =
      core::read_file_if_any(dir_ / "units" / "pmctl-a-0.service.d" / "pmctl-exec.conf");
  ASSERT_TRUE(text.has_value());
  EXPECT_THAT(*text, HasSubstr("ExecStart="));
  units_.clear_exec_dropin("pmctl-a-0.service");
  EXPECT_FALSE(fs::exists(dir_ / "units" / "pmctl-a-0.service.d"));
}

TEST_F(RuntimeUnitsTest, AUnitLeftFromAnEarlierRunIsStoppedAndCreatedAfresh) {
  manager_.units["pmctl-a-0.service"] = FakeManager::failed("pmctl-a-0.service");
  units_.start_transient_afresh(service("pmctl-a-0.service"));
  EXPECT_THAT(manager_.calls,
              ElementsAre("start_transient pmctl-a-0.service", "stop pmctl-a-0.service",
                          "reset_failed pmctl-a-0.service", "start_transient pmctl-a-0.service"));
  EXPECT_EQ(manager_.units.at("pmctl-a-0.service").active_state, "active");
}

TEST_F(RuntimeUnitsTest, StoppingASavedUnitPutsItOnStandbySoPmctlTargetDoesNotStartItAgain) {
  units_.stop("pmctl-a-0-s.service");
  EXPECT_TRUE(fs::exists(core::standby_flag((dir_ / "run").string(), "pmctl-a-0-s.service")));
  units_.standby("pmctl-a-0-s.service", false);
  EXPECT_FALSE(fs::exists(core::standby_flag((dir_ / "run").string(), "pmctl-a-0-s.service")));
  units_.stop("pmctl-b-0.service");  // not saved: no flag
  EXPECT_FALSE(fs::exists(core::standby_flag((dir_ / "run").string(), "pmctl-b-0.service")));
}

TEST_F(RuntimeUnitsTest, AnUnchangedUnitFileIsNotRewrittenAndALoadedChangedOneReloadsTheManager) {
  core::UnitSpec spec = service("pmctl-a-0.service");
  units_.install_unit_file(spec, "a");
  EXPECT_TRUE(fs::exists(dir_ / "units" / "pmctl-a-0.service"));
  manager_.units["pmctl-a-0.service"] = manager_.running("pmctl-a-0.service");
  units_.install_unit_file(spec, "a");
  EXPECT_THAT(manager_.calls, ::testing::Not(::testing::Contains("reload_daemon")));
  spec.properties.push_back({"Description", std::string("changed")});
  units_.install_unit_file(spec, "a");
  EXPECT_THAT(manager_.calls, ::testing::Contains("reload_daemon"));
  units_.uninstall_unit_file("pmctl-a-0.service");
  EXPECT_FALSE(fs::exists(dir_ / "units" / "pmctl-a-0.service"));
}

}  // namespace
}  // namespace pmctl::test
