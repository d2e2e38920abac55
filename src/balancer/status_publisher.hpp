#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/text/balancer_status.hpp"

namespace pmctl::balancer {

/// When the counters go out as STATUS= (docs/balancer.md, "Counters"): with READY=1, and
/// otherwise only after they changed, at most once per interval, so that a busy balancer does
/// not flood the manager and an idle one has nothing to wake up for. Pure: the proxy gives it
/// the counters and the time, and sends what it returns.
class StatusPublisher {
 public:
  using Clock = std::chrono::steady_clock;

  explicit StatusPublisher(Clock::duration interval = std::chrono::seconds(1))
      : interval_(interval) {}

  /// The status line for `counters`, to be sent now whatever the interval (with READY=1).
  std::string publish(const core::BalancerCounters& counters, Clock::time_point now);
  /// The counters as they are at `now`: the status line when they differ from the last one sent
  /// and the interval has passed since, else nullopt (a change then waits for deadline()).
  std::optional<std::string> update(const core::BalancerCounters& counters, Clock::time_point now);
  /// When a change that waits may go out; nullopt when none waits.
  std::optional<Clock::time_point> deadline() const;

 private:
  Clock::duration interval_;
  Clock::time_point sent_at_ = Clock::time_point::min();
  core::BalancerCounters sent_;
  bool waiting_ = false;  ///< The counters differ from sent_ (as of the last update).
};

}  // namespace pmctl::balancer
