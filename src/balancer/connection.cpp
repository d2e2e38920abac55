#include "balancer/connection.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace pmctl::balancer {

void Watch::watch(int epoll_fd, unsigned events) {
  if (events == registered) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = this;
  int op = events == 0 ? EPOLL_CTL_DEL : registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (epoll_ctl(epoll_fd, op, fd, &ev) == 0) registered = events;
}

Connection::Connection(core::UniqueFd client)
    : client_(std::move(client)),
      client_watch_{Watch::Kind::kClient, client_.get(), this},
      server_watch_{Watch::Kind::kServer, -1, this} {}

Connection::~Connection() { release(); }

int Connection::connect_to(BackendPtr backend) {
  if (backend_) --backend_->active;
  backend_ = std::move(backend);
  ++backend_->active;
  // Closing the old socket takes it out of the epoll set.
  server_.reset(
      socket(backend_->spec.address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  server_watch_.fd = server_.get();
  server_watch_.registered = 0;
  up_.new_destination();
  down_.new_source();
  state = State::kConnecting;
  if (server_.get() < 0) return errno;
  const auto& a = backend_->spec.address;
  if (connect(server_.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) == 0) {
    state = State::kOpen;
    return 0;
  }
  return errno;
}

int Connection::connect_result() {
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(server_.get(), SOL_SOCKET, SO_ERROR, &error, &len) < 0) return errno;
  if (error == 0) state = State::kOpen;
  return error;
}

Connection::Ready Connection::Ready::from_event(Watch::Kind kind, unsigned events) {
  const bool readable = events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
  const bool writable = events & (EPOLLOUT | EPOLLHUP | EPOLLERR);
  if (kind == Watch::Kind::kClient) return {readable, writable};
  return {writable, readable};
}

Connection::Outcome Connection::pump(Ready ready) {
  Outcome o;
  // A backend going away may close between two answers: keep what the client asks from the next
  // answer on, and hold the backend's close, so that another backend can take over (can_rehome).
  if (going_away() && !copying_ && !no_rehome_) {
    copying_ = true;
    unanswered_.clear();
    up_.mark_copy_lost();  // a request may be half sent: known only from the next answer on
  }
  up_.copy_into(copying_ ? &unanswered_ : nullptr);
  down_.hold_eof(copying_);
  const std::uint64_t answered = down_.received();
  if (ready.up)
    o.error = up_.pump(client_.get(), server_.get(), Side::kClient, Side::kServer, o.side);
  if (o.error == 0 && ready.down)
    o.error = down_.pump(server_.get(), client_.get(), Side::kServer, Side::kClient, o.side);
  if (down_.received() != answered) {  // an answer: what the client sent before it is answered
    unanswered_.clear();
    up_.reset_copy();
  }
  o.done = o.error == 0 && up_.finished() && down_.finished();
  return o;
}

bool Connection::can_rehome() const {
  return copying_ && !up_.copy_lost() && !down_.has_pending() &&
         (!up_.source_done() || !unanswered_.empty());
}

void Connection::stop_copying() {
  copying_ = false;
  unanswered_.clear();
  up_.reset_copy();
  up_.copy_into(nullptr);
  down_.hold_eof(false);
}

void Connection::pass_close() {
  no_rehome_ = true;
  stop_copying();
}

void Connection::drop_server() {
  server_.reset();  // closing it takes it out of the epoll set
  server_watch_.fd = -1;
  server_watch_.registered = 0;
}

int Connection::prepare_rehome() {
  const int e = up_.replace_pending(unanswered_);
  stop_copying();
  parked = false;
  tried.clear();
  return e;
}

void Connection::update_watches(int epoll_fd) {
  if (parked) {  // only the client: its next bytes (or its close) decide
    client_watch_.watch(epoll_fd, EPOLLIN);
    return;
  }
  if (state == State::kConnecting) {
    client_watch_.watch(epoll_fd, 0);
    server_watch_.watch(epoll_fd, EPOLLOUT);
    return;
  }
  unsigned client = (up_.wants_read() ? EPOLLIN : 0u) | (down_.wants_write() ? EPOLLOUT : 0u);
  unsigned server = (down_.wants_read() ? EPOLLIN : 0u) | (up_.wants_write() ? EPOLLOUT : 0u);
  client_watch_.watch(epoll_fd, client);
  server_watch_.watch(epoll_fd, server);
}

void Connection::release() {
  if (backend_) --backend_->active;
  backend_.reset();
  server_.reset();
  client_.reset();
  released = true;
}

}  // namespace pmctl::balancer
