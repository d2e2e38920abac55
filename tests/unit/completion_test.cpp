#include "core/lifecycle/completion.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"
#include "lifecycle_parts_fixture.hpp"

namespace pmctl::test {
namespace {

class CompletionTest : public PartsTest {
 protected:
  bool any_marked() {
    for (const auto& app : registry_.load().apps)
      if (!app.pending.empty()) return true;
    return false;
  }
};

TEST_F(CompletionTest, AFinishedStartReloadAndScaleLeaveNoMark) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  EXPECT_FALSE(any_marked());
  rollout_.reload(ids);
  EXPECT_FALSE(any_marked());
  rollout_.scale("web", 3);
  rollout_.scale("web", 1);
  EXPECT_FALSE(any_marked());
}

TEST_F(CompletionTest, AnAbortedReloadClearsItsMarks) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  manager_.fail_unit = "pmctl-web-1-b.service";
  EXPECT_THROW(rollout_.reload(ids), core::Error);
  EXPECT_FALSE(any_marked());
}

TEST_F(CompletionTest, AnAppWithoutMarksIsLeftAlone) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  manager_.calls.clear();
  EXPECT_FALSE(completion_.complete("web"));
  EXPECT_FALSE(completion_.complete_app_of(ids[0]));
  EXPECT_TRUE(manager_.calls.empty());
}

// What a start -i 2 killed after its first instance leaves: marks, one unit, no balancer.
TEST_F(CompletionTest, CompletingAKilledStartStartsTheMissingInstanceAndTheBalancer) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  completion_.mark(ids, "start");
  manager_.units.erase("pmctl-web-1.service");
  manager_.units.erase("pmctl-web-lb.socket");
  manager_.units.erase("pmctl-web-lb.service");
  EXPECT_TRUE(completion_.complete_app_of(ids[1]));
  EXPECT_EQ(manager_.units.count("pmctl-web-1.service"), 1u);
  EXPECT_EQ(manager_.units.count("pmctl-web-lb.socket"), 1u);
  EXPECT_FALSE(any_marked());
  // Once per command: the app's other instance needs nothing more.
  manager_.calls.clear();
  EXPECT_TRUE(completion_.complete_app_of(ids[0]));
  EXPECT_TRUE(manager_.calls.empty());
}

// What a reload killed after starting the replacement leaves: both units of instance 0.
TEST_F(CompletionTest, CompletingAKilledReloadStopsTheUnitThatIsNotCurrent) {
  const auto ids = new_apps_.start_cluster(cluster("web", 2));
  rollout_.reload({ids[0]});  // instance 0 now runs on its B unit
  completion_.mark(ids, "reload");
  core::AppRecord stale = *registry_.load().find(ids[0]);
  stale.slot = core::Slot::A;
  manager_.units[core::unit_of(stale)] = manager_.running(core::unit_of(stale));  // left over
  EXPECT_TRUE(completion_.complete("web"));
  EXPECT_EQ(manager_.units.count("pmctl-web-0.service"), 0u);
  EXPECT_EQ(manager_.units.count("pmctl-web-0-b.service"), 1u);
  EXPECT_FALSE(any_marked());
}

TEST_F(CompletionTest, DeletingAMarkedInstanceStopsItsLeftoverUnitToo) {
  const auto ids = new_apps_.start_cluster(cluster("web", 1));
  completion_.mark(ids, "reload");
  manager_.units["pmctl-web-0-b.service"] = manager_.running("pmctl-web-0-b.service");
  instances_.remove(ids[0]);
  EXPECT_EQ(manager_.units.count("pmctl-web-0-b.service"), 0u);
  EXPECT_EQ(manager_.units.count("pmctl-web-0.service"), 0u);
}

}  // namespace
}  // namespace pmctl::test
