#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "balancer/backend_set.hpp"
#include "balancer/connection.hpp"
#include "balancer/options.hpp"
#include "balancer/policy.hpp"
#include "balancer/status_publisher.hpp"
#include "core/types/unique_fd.hpp"

namespace pmctl::balancer {

/// The event loop: accepts clients on the listening sockets, hands each to a backend, moves
/// bytes, and reacts to SIGHUP (reload the backends) and SIGTERM (drain, then stop). A failure
/// of one connection releases that connection and nothing else.
class Proxy {
 public:
  /// Takes the listening sockets at fds 3..3+listen_count-1 and blocks the signals it handles.
  Proxy(Options options, int listen_count);
  /// Reads the backend file; throws Error if it cannot.
  void load_backends();
  /// Serves until stopped; returns the exit status.
  int run();

 private:
  void dispatch(Watch& w, unsigned events);
  void accept_clients(int listen_fd);
  void handle_signal();
  void reload();
  void begin_stop();
  /// Hands `c` to the next backend it has not tried; `rehoming`: it leaves a going-away one.
  void connect_next(Connection& c, bool rehoming = false);
  void on_server_ready(Connection& c);
  void pump(Connection& c, Connection::Ready ready = Connection::Ready{true, true});
  void park(Connection& c);
  void rehome(Connection& c);
  void mark_down(Backend& b, int error);
  void mark_up(Backend& b);
  void release(Connection& c);
  void expire_connects();
  void update_accepting();
  int next_timeout() const;
  core::BalancerCounters counters() const;
  /// Sends the counters if they changed and the publisher allows it (after each batch).
  void publish_status();
  /// READY=1 with the counters (at start and after a reload).
  void notify_ready();

  Options options_;
  Policy policy_;
  BackendSet backends_;
  core::UniqueFd epoll_, signals_;
  std::vector<Watch> listeners_;
  Watch signal_watch_{Watch::Kind::kSignal};
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> released_;  ///< Freed after the current batch.
  /// accepted, unserved, retried and rehomed; counters() adds the ones read off the state.
  core::BalancerCounters counts_;
  StatusPublisher status_;
  unsigned connecting_ = 0;
  unsigned parked_ = 0;  ///< Connections waiting for their client after a backend closed.
  bool stopping_ = false;
  Clock::time_point stop_deadline_, accept_paused_until_;
};

}  // namespace pmctl::balancer
