// pmctl-balancer: cluster mode's load balancer. systemd passes it the app's listening socket
// (LISTEN_FDS); it spreads the connections over the backends listed in --backends FILE. See
// docs/balancer.md.
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include "balancer/error.hpp"
#include "balancer/listen_fds.hpp"
#include "balancer/log.hpp"
#include "balancer/options.hpp"
#include "balancer/proxy.hpp"

namespace {

/// Each connection holds six descriptors (two sockets, two pipes); take what the hard limit
/// allows, as systemd leaves the soft limit at 1024 for select()'s sake, which we do not use.
void raise_fd_limit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pmctl::balancer;
  try {
    Options options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (options.help) {
      std::fputs(usage_text(), stdout);
      return 0;
    }
    int listen_count = take_listen_fds();
    if (listen_count == 0)
      throw Error("no listening socket: start it by socket activation (LISTEN_FDS)");
    raise_fd_limit();
    Proxy proxy(std::move(options), listen_count);
    proxy.load_backends();
    return proxy.run();
  } catch (const Error& e) {
    log("error: %s", e.what());
    return 1;
  }
}
