#pragma once
// pmctl-balancer's counters as the one line it sends with sd_notify's STATUS= (systemd shows it
// on `systemctl status`'s Status: line and in the unit's StatusText property). The balancer
// writes it, pmctl reads it back: both sides use these two functions, so the format lives here
// only. Pure, table-tested (tests/unit/balancer_status_test.cpp); docs/balancer.md, "Counters".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

/// What a balancer has counted since it started; a restarted balancer starts again from 0.
struct BalancerCounters {
  std::uint64_t open = 0;         ///< Client connections open now.
  std::uint64_t accepted = 0;     ///< Clients accepted since the balancer started.
  std::uint64_t unserved = 0;     ///< Clients closed unanswered: no backend could take them.
  std::uint64_t retried = 0;      ///< Moves to another backend after a failed connect or reset.
  std::uint64_t rehomed = 0;      ///< Moves off a going-away backend between two answers.
  std::uint64_t backends_up = 0;  ///< Backends listed, not draining, not marked down.
  std::uint64_t backends = 0;     ///< Backends listed in the backend file.
  bool operator==(const BalancerCounters&) const = default;
};

/// One line of space-separated words, e.g.
/// "open=3 accepted=120 unserved=0 retried=2 rehomed=1 backends=2/2" (backends=UP/LISTED).
std::string format_balancer_status(const BalancerCounters& counters);

/// The counters of a line format_balancer_status() wrote; nullopt for anything else (an older
/// balancer's "Accepting connections", an empty or malformed line, a missing or repeated key, a
/// number with a sign, a leading zero or more than 64 bits, more backends up than listed). The
/// known words may come in any order, separated by single spaces; a word `name=value` with an
/// unknown lowercase name is skipped, so that a newer balancer may add a counter without its
/// older readers losing the others.
std::optional<BalancerCounters> parse_balancer_status(std::string_view text);

}  // namespace pmctl::core
