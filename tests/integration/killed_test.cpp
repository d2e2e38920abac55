// pmctl killed with SIGKILL at points spread over start -i 4, reload, scale and save: afterwards
// `ls` never shows a half-made app as healthy, and the documented next command (docs/usage.md,
// "A command killed half-way") brings the app to a serving, consistent state with no extra unit.
#include <gmock/gmock.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cluster_fixture.hpp"
#include "consistency.hpp"

namespace pmctl::test {
namespace {

constexpr int kPort = 17460;

class KilledTest : public ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    // Without '-': the balancer's unit name (lb()) is then the name as it is.
    name_ = unique_name("killed");
    name_.erase(std::remove(name_.begin(), name_.end(), '-'), name_.end());
  }

  std::vector<std::string> start_args() const {
    return {"start",  app_path("http_instance.js"), "--name", name_, "-i", "4",
            "--port", std::to_string(kPort)};
  }

  /// `pmctl args...` killed with SIGKILL after `seconds`.
  void killed_after(double seconds, const std::vector<std::string>& args) {
    std::string line = "timeout -s KILL " + std::to_string(seconds) + " '" PMCTL_BINARY "'";
    for (const auto& a : args) line += " '" + a + "'";
    sh(line);
  }

  /// Right after a kill: nothing registered, or the instances the command worked on say
  /// "incomplete" (a reload works in batches), or the app is whole. Returns whether it is marked.
  bool marked_or_whole(std::size_t instances) {
    const auto rs = rows(name_);
    if (rs.empty()) return true;  // killed before it registered anything
    std::size_t incomplete = 0;
    for (const auto& r : rs) incomplete += r["pm2_env"]["status"] == "incomplete";
    if (incomplete > 0) {
      EXPECT_THAT(pmctl({"ls"}).err, ::testing::HasSubstr("'pmctl start " + name_ + "'"));
      return true;
    }
    expect_whole(instances);
    return false;
  }

  /// Serving through the balancer with `instances` online instances, no unit more or less.
  void expect_whole(std::size_t instances) {
    const auto rs = rows(name_);
    EXPECT_EQ(rs.size(), instances);
    for (const auto& r : rs) EXPECT_EQ(r["pm2_env"]["status"], "online") << r["pm_id"];
    EXPECT_EQ(unit_property(lb(name_, ".socket"), "ActiveState"), "active");
    EXPECT_TRUE(eventually([&] { return answering(kPort).size() == instances; }));
    expect_registry_equals_units();
  }

  std::string name_;
};

TEST_F(KilledTest, AStartKilledAtFourPointsIsCompletedByTheSameStart) {
  for (double at : {0.05, 0.15, 0.3, 0.6}) {
    SCOPED_TRACE("killed after " + std::to_string(at) + " s");
    wait_port_unused(kPort);
    killed_after(at, start_args());
    if (marked_or_whole(4)) {  // else it finished before the kill: a start again is refused
      const Result again = pmctl(start_args());
      ASSERT_EQ(again.exit_code, 0) << again.err;
    }
    expect_whole(4);
    ASSERT_EQ(pmctl({"delete", name_}).exit_code, 0);
    expect_registry_equals_units();
  }
}

TEST_F(KilledTest, AReloadKilledAtThreePointsIsCompletedByTheNextReload) {
  start_cluster_app("http_instance.js", name_, 4, kPort, {});
  for (double at : {0.2, 0.6, 1.2}) {
    SCOPED_TRACE("killed after " + std::to_string(at) + " s");
    killed_after(at, {"reload", name_});
    marked_or_whole(4);
    const Result again = pmctl({"reload", name_});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    expect_whole(4);
  }
  // A reload killed half-way leaves nothing behind a delete.
  killed_after(0.6, {"reload", name_});
  ASSERT_EQ(pmctl({"delete", name_}).exit_code, 0);
  EXPECT_TRUE(eventually([&] {
    return sh("systemctl list-units 'pmctl-" + name_ + "*' --plain --no-legend").out.empty();
  }));
}

TEST_F(KilledTest, AScaleKilledAtTwoPointsIsCompletedByTheNextScale) {
  start_cluster_app("http_instance.js", name_, 4, kPort, {});
  int target = 4;
  for (double at : {0.2, 0.5}) {
    SCOPED_TRACE("killed after " + std::to_string(at) + " s");
    target += 2;
    killed_after(at, {"scale", name_, std::to_string(target)});
    const Result again = pmctl({"scale", name_, std::to_string(target)});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    expect_whole(static_cast<std::size_t>(target));
  }
}

TEST_F(KilledTest, ASaveKilledEarlyIsCompletedByTheNextSave) {
  start_cluster_app("http_instance.js", name_, 4, kPort, {});
  killed_after(0.03, {"save"});
  const Result again = pmctl({"save"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, ::testing::HasSubstr("saved 4 app instance(s)"));
  expect_whole(4);
  ASSERT_EQ(pmctl({"cleardump"}).exit_code, 0);
}

}  // namespace
}  // namespace pmctl::test
