#pragma once

namespace pmctl::balancer {

/// One line on stderr, "pmctl-balancer: …"; under systemd it goes to the journal.
[[gnu::format(printf, 1, 2)]] void log(const char* format, ...);

}  // namespace pmctl::balancer
