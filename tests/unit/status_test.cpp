#include "core/model/status.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pmctl::core {
namespace {

struct StatusCase {
  bool loaded;
  std::string active_state;
  std::string sub_state;
  bool autorestart;
  std::uint64_t exp_backoff_ms;
  Status expected;
};

TEST(Status, MapsUnitStatesToPm2Statuses) {
  const std::vector<StatusCase> cases = {
      {false, "", "", true, 0, Status::Stopped},
      {false, "active", "running", true, 0, Status::Stopped},
      {true, "inactive", "dead", true, 0, Status::Stopped},
      {true, "active", "running", true, 0, Status::Online},
      {true, "active", "exited", true, 0, Status::Online},
      {true, "reloading", "reload", true, 0, Status::Online},
      {true, "activating", "auto-restart", true, 0, Status::WaitingRestart},
      {true, "activating", "auto-restart-queued", true, 0, Status::WaitingRestart},
      {true, "activating", "start-pre", true, 100, Status::WaitingRestart},
      {true, "activating", "start-pre", true, 0, Status::Launching},
      {true, "activating", "start", true, 100, Status::Launching},
      {true, "deactivating", "stop-sigterm", true, 0, Status::Stopping},
      {true, "failed", "failed", true, 0, Status::Errored},
      {true, "failed", "failed", false, 0, Status::Stopped},
      {true, "inactive", "dead", false, 0, Status::Stopped},
  };
  for (const auto& c : cases) {
    UnitState unit;
    unit.loaded = c.loaded;
    unit.active_state = c.active_state;
    unit.sub_state = c.sub_state;
    RestartPolicy policy;
    policy.autorestart = c.autorestart;
    policy.exp_backoff_ms = c.exp_backoff_ms;
    EXPECT_EQ(to_string(status_of(unit, policy)), to_string(c.expected))
        << c.loaded << " " << c.active_state << "/" << c.sub_state << " autorestart "
        << c.autorestart << " backoff " << c.exp_backoff_ms;
  }
}

TEST(Status, SpellsStatusesLikePm2) {
  EXPECT_EQ(to_string(Status::Online), "online");
  EXPECT_EQ(to_string(Status::Launching), "launching");
  EXPECT_EQ(to_string(Status::WaitingRestart), "waiting restart");
  EXPECT_EQ(to_string(Status::Stopping), "stopping");
  EXPECT_EQ(to_string(Status::Stopped), "stopped");
  EXPECT_EQ(to_string(Status::Errored), "errored");
}

struct RestartCase {
  std::string active_state;
  std::string result;
  bool autorestart;
  std::uint32_t n_restarts;
  std::uint32_t expected;
};

TEST(Status, DoesNotCountTheRestartRefusedByTheStartLimit) {
  const std::vector<RestartCase> cases = {
      {"active", "success", true, 0, 0},
      {"active", "exit-code", true, 3, 3},
      {"failed", "start-limit-hit", true, 17, 16},
      {"failed", "start-limit-hit", true, 0, 0},
      {"failed", "start-limit-hit", false, 1, 0},
      {"activating", "signal", true, 1, 1},
      // systemd 252 keeps the earlier Result when the start limit refuses the restart.
      {"failed", "exit-code", true, 16, 15},
      // With autorestart off a failed unit was never restarted by the limit.
      {"failed", "exit-code", false, 2, 2},
  };
  for (const auto& c : cases) {
    UnitState unit;
    unit.active_state = c.active_state;
    unit.result = c.result;
    unit.n_restarts = c.n_restarts;
    RestartPolicy policy;
    policy.autorestart = c.autorestart;
    EXPECT_EQ(automatic_restarts(unit, policy), c.expected)
        << c.active_state << " " << c.result << " " << c.n_restarts;
  }
}

}  // namespace
}  // namespace pmctl::core
