#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "balancer/backend_file.hpp"
#include "balancer/policy.hpp"

namespace pmctl::balancer {

using Clock = std::chrono::steady_clock;

/// One backend and what the balancer has learnt about it. Connections hold a shared_ptr, so a
/// backend removed from the file lives on until its last connection closes.
struct Backend {
  BackendSpec spec;
  unsigned active = 0;           ///< Open (or opening) connections.
  Clock::time_point down_until;  ///< Skipped until then, after a refused connection.
  bool removed = false;          ///< No longer in the file: lives on for its open connections.
  bool up(Clock::time_point now) const { return now >= down_until; }
  /// A connect failed and none has succeeded since (the counters' notion of a backend down).
  bool marked_down() const { return down_until != Clock::time_point(); }
  /// Draining or removed: its connections may move to another backend (rehoming).
  bool going_away() const { return spec.drain || removed; }
};

using BackendPtr = std::shared_ptr<Backend>;

/// The backends in file order. Pure bookkeeping, no sockets: tested without any.
class BackendSet {
 public:
  /// Takes a new list (from the file); backends with the same name keep their connection count
  /// and down state, so a reload drops nothing and forgets nothing.
  void replace(std::vector<BackendSpec> specs);

  /// Chooses a backend for a client that has already tried `tried`; null when none is left.
  BackendPtr choose(Policy& policy, const std::vector<const Backend*>& tried,
                    Clock::time_point now) const;

  const std::vector<BackendPtr>& all() const { return backends_; }

 private:
  std::vector<BackendPtr> backends_;
};

}  // namespace pmctl::balancer
