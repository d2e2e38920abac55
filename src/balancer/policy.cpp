#include "balancer/policy.hpp"

#include <string>

#include "balancer/error.hpp"

namespace pmctl::balancer {

PolicyKind parse_policy(std::string_view name) {
  if (name == "rr") return PolicyKind::kRoundRobin;
  if (name == "leastconn") return PolicyKind::kLeastConnections;
  throw Error("unknown policy '" + std::string(name) + "': use rr or leastconn");
}

std::optional<std::size_t> Policy::pick(const std::vector<Candidate>& candidates) {
  auto chosen = pick_among(candidates, true);
  if (!chosen) chosen = pick_among(candidates, false);
  if (chosen) next_ = *chosen + 1;
  return chosen;
}

std::optional<std::size_t> Policy::pick_among(const std::vector<Candidate>& c, bool up) const {
  std::optional<std::size_t> best;
  std::size_t n = c.size();
  // Walk once around, starting where the last round stopped; the first match wins a tie.
  for (std::size_t step = 0; step < n; ++step) {
    std::size_t i = (next_ + step) % n;
    if (!c[i].eligible || c[i].up != up) continue;
    if (kind_ == PolicyKind::kRoundRobin) return i;
    if (!best || c[i].active < c[*best].active) best = i;
  }
  return best;
}

}  // namespace pmctl::balancer
