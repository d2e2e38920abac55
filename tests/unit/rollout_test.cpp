#include "core/lifecycle/rollout.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/files.hpp"
#include "core/cluster/cluster.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"
#include "lifecycle_parts_fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using RolloutTest = PartsTest;

TEST_F(RolloutTest, AReloadMovesEachInstanceToItsOtherUnitAndKeepsItsId) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  rollout_.reload({ids[0]});
  const auto data = registry_.load();  // find() points into it: keep it alive
  const auto* rec = data.find(ids[0]);
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->slot, core::Slot::B);
  EXPECT_EQ(manager_.units.count("pmctl-web-0-b.service"), 1u);
  EXPECT_EQ(manager_.units.count("pmctl-web-0.service"), 0u);
}

TEST_F(RolloutTest, ASecondRolloutOfAnAppIsRefusedWhileAnotherProcessHoldsItsLock) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  const auto held = core::try_lock_file(core::reload_lock_path((dir_ / "run").string(), "web"));
  ASSERT_GE(held.get(), 0);
  try {
    rollout_.scale("web", 3);
    FAIL() << "scale ran while the lock was held";
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("already running"));
  }
  EXPECT_EQ(registry_.load().apps.size(), ids.size());
}

TEST_F(RolloutTest, ScaleUpTakesTheLowestFreeInstanceNumbersAndScaleDownRemovesTheLowestIds) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  const auto added = rollout_.scale("web", 3);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(registry_.load().find(added[0])->instance, 2);
  const auto removed = rollout_.scale("web", 1);
  EXPECT_EQ(removed, (std::vector<int>{ids[0], ids[1]}));
  EXPECT_EQ(registry_.load().apps.size(), 1u);
}

}  // namespace
}  // namespace pmctl::test
