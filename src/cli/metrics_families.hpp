#pragma once
// What `GET /metrics` exports: one sample per app instance in each family, named by Prometheus's
// conventions (pmctl_ prefix, _total counters, seconds and bytes). docs/observability.md has the
// list.

#include <string>
#include <utility>
#include <vector>

#include "core/lifecycle/views.hpp"
#include "core/text/balancer_status.hpp"
#include "core/text/prometheus.hpp"

namespace pmctl::cli {

/// The families for `views`: pmctl_up, pmctl_status (a state set: one sample per status, 1 for
/// the instance's own), pmctl_restarts_total, pmctl_uptime_seconds, pmctl_start_time_seconds,
/// pmctl_cpu_seconds_total, pmctl_memory_bytes, and pmctl_instances (one sample, no labels).
std::vector<core::MetricFamily> metrics_families(const std::vector<core::AppView>& views);

/// A cluster app's balancer counters, by app name and namespace.
struct BalancerSample {
  std::string name;
  std::string ns;
  core::BalancerCounters counters;
};

/// The balancers' families, one sample per cluster app (labels name, namespace):
/// pmctl_balancer_connections_open, pmctl_balancer_connections_{accepted,unserved,retried,
/// rehomed}_total, pmctl_balancer_backends, pmctl_balancer_backends_up. Empty without samples.
std::vector<core::MetricFamily> balancer_families(const std::vector<BalancerSample>& samples);

}  // namespace pmctl::cli
