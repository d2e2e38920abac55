#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace pmctl::balancer {

enum class PolicyKind { kRoundRobin, kLeastConnections };

/// `rr` or `leastconn`; throws Error for anything else.
PolicyKind parse_policy(std::string_view name);

/// What the policy needs to know about one backend when a client arrives.
struct Candidate {
  bool eligible = true;  ///< Not draining, and not yet tried for this client.
  bool up = true;        ///< Not marked down after a refused connection.
  unsigned active = 0;   ///< Open connections.
};

/// Picks a backend for each new client. Pure: it sees only the candidates, so it is tested
/// without sockets. Backends that are up are preferred; when every eligible one is down, a down
/// one is tried anyway, since it may have come back and refusing the client is the worse outcome.
class Policy {
 public:
  explicit Policy(PolicyKind kind) : kind_(kind) {}

  /// The index of the chosen candidate, or nothing when none is eligible.
  std::optional<std::size_t> pick(const std::vector<Candidate>& candidates);

 private:
  std::optional<std::size_t> pick_among(const std::vector<Candidate>& c, bool up) const;

  PolicyKind kind_;
  std::size_t next_ = 0;  ///< Where the round starts; least-connections breaks ties with it too.
};

}  // namespace pmctl::balancer
