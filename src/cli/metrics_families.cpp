#include "cli/metrics_families.hpp"

#include <string>

#include "core/model/status.hpp"

namespace pmctl::cli {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

Labels labels_of(const core::AppView& v) {
  return {{"name", v.record.decl.name},
          {"namespace", v.record.decl.ns},
          {"id", std::to_string(v.record.id)},
          {"mode", std::string(core::exec_mode_of(v.record.decl))}};
}

/// Every status word an instance can have, for the state set.
const std::vector<std::string>& status_words() {
  static const std::vector<std::string> words = {
      "online", "launching", "waiting restart", "stopping", "stopped", "errored", "incomplete"};
  return words;
}

core::MetricFamily per_instance(const std::vector<core::AppView>& views, std::string name,
                                std::string help, std::string type,
                                double (*value)(const core::AppView&)) {
  core::MetricFamily f{std::move(name), std::move(help), std::move(type), {}};
  for (const auto& v : views) f.samples.push_back({labels_of(v), value(v)});
  return f;
}

}  // namespace

std::vector<core::MetricFamily> metrics_families(const std::vector<core::AppView>& views) {
  std::vector<core::MetricFamily> out;
  out.push_back(per_instance(
      views, "pmctl_up", "Whether the app instance is online (1) or not (0).", "gauge",
      [](const core::AppView& v) { return v.status == core::Status::Online ? 1.0 : 0.0; }));
  core::MetricFamily status{"pmctl_status",
                            "The app instance's status as pmctl ls shows it: 1 for its status, "
                            "0 for the others.",
                            "gauge",
                            {}};
  for (const auto& v : views) {
    const std::string now = core::status_word(v);
    for (const auto& word : status_words()) {
      Labels labels = labels_of(v);
      labels.emplace_back("status", word);
      status.samples.push_back({std::move(labels), word == now ? 1.0 : 0.0});
    }
  }
  out.push_back(std::move(status));
  out.push_back(per_instance(views, "pmctl_restarts_total",
                             "Restarts of the app instance, automatic and manual (PM2's ↺).",
                             "counter", [](const core::AppView& v) { return double(v.restarts); }));
  out.push_back(per_instance(views, "pmctl_uptime_seconds",
                             "How long the instance's current run has lasted.", "gauge",
                             [](const core::AppView& v) { return double(v.uptime_ms) / 1000.0; }));
  out.push_back(per_instance(
      views, "pmctl_start_time_seconds",
      "When the instance's current run began, in seconds since the epoch (0: not running).",
      "gauge", [](const core::AppView& v) { return double(v.started_usec) / 1e6; }));
  out.push_back(per_instance(views, "pmctl_cpu_seconds_total",
                             "CPU time the instance's cgroup has used.", "counter",
                             [](const core::AppView& v) { return double(v.cpu_usec) / 1e6; }));
  out.push_back(per_instance(
      views, "pmctl_memory_bytes",
      "The instance's memory: its cgroup's memory.current, or its processes' RSS without a "
      "memory controller.",
      "gauge", [](const core::AppView& v) { return double(v.memory_bytes); }));
  out.push_back({"pmctl_instances",
                 "App instances registered with pmctl.",
                 "gauge",
                 {{{}, double(views.size())}}});
  return out;
}

std::vector<core::MetricFamily> balancer_families(const std::vector<BalancerSample>& samples) {
  if (samples.empty()) return {};
  using Counters = core::BalancerCounters;
  const struct {
    const char* name;
    const char* help;
    const char* type;
    std::uint64_t Counters::*field;
  } kinds[] = {
      {"pmctl_balancer_connections_open", "Client connections the app's balancer holds open now.",
       "gauge", &Counters::open},
      {"pmctl_balancer_connections_accepted_total",
       "Client connections the balancer accepted since it started.", "counter",
       &Counters::accepted},
      {"pmctl_balancer_connections_unserved_total",
       "Client connections closed unanswered: no instance could take them.", "counter",
       &Counters::unserved},
      {"pmctl_balancer_connections_retried_total",
       "Moves of a client to another instance after a failed connect or a reset.", "counter",
       &Counters::retried},
      {"pmctl_balancer_connections_rehomed_total",
       "Moves of a client off an instance going away (reload, scale), between two answers.",
       "counter", &Counters::rehomed},
      {"pmctl_balancer_backends", "Instances in the balancer's backend file.", "gauge",
       &Counters::backends},
      {"pmctl_balancer_backends_up", "Instances the balancer sends new connections to.", "gauge",
       &Counters::backends_up},
  };
  std::vector<core::MetricFamily> out;
  for (const auto& kind : kinds) {
    core::MetricFamily f{kind.name, kind.help, kind.type, {}};
    for (const auto& s : samples)
      f.samples.push_back(
          {{{"name", s.name}, {"namespace", s.ns}}, static_cast<double>(s.counters.*kind.field)});
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace pmctl::cli
