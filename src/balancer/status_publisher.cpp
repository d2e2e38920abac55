#include "balancer/status_publisher.hpp"

namespace pmctl::balancer {

std::string StatusPublisher::publish(const core::BalancerCounters& counters,
                                     Clock::time_point now) {
  sent_ = counters;
  sent_at_ = now;
  waiting_ = false;
  return core::format_balancer_status(counters);
}

std::optional<std::string> StatusPublisher::update(const core::BalancerCounters& counters,
                                                   Clock::time_point now) {
  waiting_ = counters != sent_;
  if (!waiting_ || now < sent_at_ + interval_) return std::nullopt;
  return publish(counters, now);
}

std::optional<StatusPublisher::Clock::time_point> StatusPublisher::deadline() const {
  if (!waiting_) return std::nullopt;
  return sent_at_ + interval_;
}

}  // namespace pmctl::balancer
