#pragma once

#include <sys/epoll.h>

#include <vector>

#include "balancer/backend_set.hpp"
#include "balancer/flow.hpp"
#include "core/unique_fd.hpp"

namespace pmctl::balancer {

class Connection;

/// What an epoll event points at: one of the balancer's own fds, or one socket of a connection.
struct Watch {
  enum class Kind { kListen, kSignal, kClient, kServer } kind;
  int fd = -1;
  Connection* connection = nullptr;
  unsigned registered = 0;  ///< The events it is in the epoll set for; 0: not in it.

  /// Brings the epoll set in line with `events`. A socket nobody waits on leaves the set, so a
  /// hung-up socket cannot wake a level-triggered loop over and over.
  void watch(int epoll_fd, unsigned events);
};

/// One client and the backend it is being served by.
class Connection {
 public:
  enum class State { kConnecting, kOpen };
  struct Outcome {
    int error = 0;  ///< errno of a failure, 0 if none.
    Side side = Side::kClient;
    bool done = false;  ///< Both directions finished: release it.
  };

  explicit Connection(core::UniqueFd client);
  ~Connection();

  /// Starts a non-blocking connect to `backend` (replacing any earlier attempt); returns 0 when
  /// connected at once, EINPROGRESS when under way, else the errno.
  int connect_to(BackendPtr backend);
  /// After the socket became writable while connecting: 0, or why the connect failed.
  int connect_result();
  /// Moves bytes both ways until nothing more can move without blocking.
  Outcome pump();
  /// Nothing has come back from the backend, and nothing has gone to it: another backend can
  /// take over the client without it noticing.
  bool can_retry() const { return down_.received() == 0 && up_.delivered() == 0; }
  /// Registers both sockets for what they wait on now.
  void update_watches(int epoll_fd);
  /// Gives back the backend slot and closes the sockets (which leaves the epoll set).
  void release();

  State state = State::kConnecting;
  Clock::time_point deadline;  ///< For the connect under way.
  std::vector<const Backend*> tried;
  bool released = false;
  bool timing = false;  ///< Counted in the proxy's connects under way.
  const BackendPtr& backend() const { return backend_; }

 private:
  core::UniqueFd client_, server_;
  Watch client_watch_, server_watch_;
  Flow up_, down_;  ///< client -> backend, backend -> client.
  BackendPtr backend_;
};

}  // namespace pmctl::balancer
