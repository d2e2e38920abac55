#include "core/model/status.hpp"

namespace pmctl::core {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Online:
      return "online";
    case Status::Launching:
      return "launching";
    case Status::WaitingRestart:
      return "waiting restart";
    case Status::Stopping:
      return "stopping";
    case Status::Stopped:
      return "stopped";
    case Status::Errored:
      return "errored";
  }
  return "unknown";
}

namespace {

// systemd 252 shows a pending automatic restart as activating/auto-restart (newer versions also
// as auto-restart-queued). pmctl's exponential back-off sleeps in ExecStartPre, which is only a
// pending restart when that back-off is configured.
bool is_pending_restart(const UnitState& unit, const RestartPolicy& policy) {
  if (unit.sub_state == "auto-restart" || unit.sub_state == "auto-restart-queued") return true;
  return unit.sub_state == "start-pre" && policy.exp_backoff_ms > 0;
}

}  // namespace

Status status_of(const UnitState& unit, const RestartPolicy& policy) {
  if (!unit.loaded) return Status::Stopped;
  const auto& state = unit.active_state;
  if (state == "active" || state == "reloading") return Status::Online;
  if (state == "activating") {
    return is_pending_restart(unit, policy) ? Status::WaitingRestart : Status::Launching;
  }
  if (state == "deactivating") return Status::Stopping;
  // PM2 marks an app that exited with autorestart off as stopped, whatever its exit code.
  if (state == "failed") return policy.autorestart ? Status::Errored : Status::Stopped;
  return Status::Stopped;
}

std::uint32_t automatic_restarts(const UnitState& unit, const RestartPolicy& policy) {
  const bool limit_hit =
      unit.result == "start-limit-hit" || (policy.autorestart && unit.active_state == "failed");
  if (limit_hit && unit.n_restarts > 0) return unit.n_restarts - 1;
  return unit.n_restarts;
}

std::uint32_t counted_restarts(const UnitState& unit, const RestartPolicy& policy,
                               std::uint32_t hidden) {
  const std::uint32_t all = automatic_restarts(unit, policy);
  return all > hidden ? all - hidden : 0;
}

bool is_up(Status s) {
  return s == Status::Online || s == Status::Launching || s == Status::WaitingRestart;
}

}  // namespace pmctl::core
