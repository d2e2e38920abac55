#pragma once

#include <sys/epoll.h>

#include <vector>

#include "balancer/backend_set.hpp"
#include "balancer/flow.hpp"
#include "core/types/unique_fd.hpp"

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
  /// Which directions an epoll event concerns: each direction is pumped only when its source
  /// may have bytes (or its destination room), so a reply does not cost a `recv` on the side that
  /// has nothing (EAGAIN). Level-triggered epoll reports a skipped socket again.
  struct Ready {
    bool up;    ///< client -> backend
    bool down;  ///< backend -> client
    static Ready from_event(Watch::Kind kind, unsigned events);
  };
  /// Moves bytes the ready ways until nothing more can move without blocking.
  Outcome pump(Ready ready = Ready{true, true});
  /// Nothing has come back from the backend, and nothing has gone to it: another backend can
  /// take over the client without it noticing.
  bool can_retry() const { return down_.received() == 0 && up_.delivered() == 0; }
  /// Rehoming (docs/balancer.md): a backend that is going away (draining, or gone from the
  /// file) and closes or resets the connection between two answers does not end the client's
  /// connection: another backend takes it over, and first gets again what the client sent since
  /// the last answer. True when that is possible now: the backend is going away, everything it
  /// sent reached the client, what the client sent since the last answer is known (it began
  /// after an answer, fits the copy, never went through a pipe), and the client can still ask.
  bool can_rehome() const;
  /// The backend ended: its EOF came (and is held while it is going away).
  bool server_closed() const { return down_.source_done(); }
  /// Nothing the client sent waits for an answer.
  bool nothing_unanswered() const { return unanswered_.empty(); }
  /// Closes the socket of a backend that ended, keeping the client (rehoming waits for it).
  void drop_server();
  /// Gives up rehoming this connection: a held close of the backend goes on to the client.
  void pass_close();
  /// The backend's close is not held (it is not going away, or rehoming was given up).
  bool close_passed() const { return !copying_; }
  /// Prepares the move to another backend: what the client sent since the last answer goes first.
  int prepare_rehome();
  bool parked = false;  ///< Its backend closed between two answers: waiting for the client.

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
  std::string unanswered_;  ///< From the client since the backend's last answer (while going away).
  bool copying_ = false;    ///< unanswered_ is being kept (the backend is going away).
  bool no_rehome_ = false;  ///< Rehoming was given up for this connection.
  bool going_away() const { return backend_ && backend_->going_away(); }
  /// Ends keeping unanswered_ and holding the backend's close (rehomed, or rehoming given up).
  void stop_copying();
};

}  // namespace pmctl::balancer
