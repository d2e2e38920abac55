#pragma once
// What the cluster tests share: HTTP clients against a public port, and an app's jlist rows.

#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace pmctl::test {

/// One HTTP request on its own connection; the first word of the answer ("instance=1"), or ""
/// when the request failed.
std::string ask(int port);

/// `client` (an apps/ script: http_client.py, one connection per request, or
/// http_keepalive_client.py) against `port` for `seconds`; its JSON summary
/// {"ok", "failed", "errors", "seen": {instance: n}, ...}, or a discarded value if it printed none.
nlohmann::json client_loop(const std::string& client, int port, double seconds);

/// Waits (at most 10 s) until no connection of an earlier run holds `port` (TIME_WAIT does not
/// count).
void wait_port_unused(int port);

class ClusterFixture : public PmctlTest {
 protected:
  /// Starts `app` as `name` with `instances` behind `port` (`extra` flags after the rest), and
  /// waits until every instance has answered through the port.
  void start_cluster_app(const std::string& app, const std::string& name, int instances, int port,
                         const std::vector<std::string>& extra);

  /// The instances that answer through `port` within `tries` requests.
  std::set<std::string> answering(int port, int tries = 8);

  /// jlist's elements for app `name`, by pm_id.
  std::vector<nlohmann::json> rows(const std::string& name);
  /// The pids of app `name`'s instances now.
  std::set<int> pids(const std::string& name);
  /// Waits (at most 20 s) until app `name` has `instances` online instances, none of them with
  /// a pid of `before` (a restart or reload replaced every one).
  bool all_replaced(const std::string& name, const std::set<int>& before, std::size_t instances);

  /// The unit name of a cluster app's balancer socket (".socket") or service (".service").
  static std::string lb(const std::string& name, const char* type) {
    return "pmctl-" + name + "-lb" + type;
  }
};

}  // namespace pmctl::test
