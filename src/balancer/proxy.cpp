#include "balancer/proxy.hpp"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "balancer/error.hpp"
#include "balancer/listen_fds.hpp"
#include "balancer/log.hpp"
#include "balancer/notify.hpp"

namespace pmctl::balancer {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTick{100};  ///< How often connect and park deadlines are checked.
/// How long a client whose going-away backend closed between two answers may take to ask again
/// before the close is passed on (one or two ticks in all).
constexpr milliseconds kParkFor{100};
constexpr int kMaxEvents = 64;

core::UniqueFd make_signalfd() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  core::UniqueFd fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (fd.get() < 0) throw Error(std::string("signalfd: ") + std::strerror(errno));
  return fd;
}

/// The wait until `deadline` (rounded up, so that the loop does not wake just before it), or
/// `t` when that is sooner; -1 means no wait so far.
milliseconds sooner(milliseconds t, Clock::time_point deadline, Clock::time_point now) {
  auto left = std::max(milliseconds(0), std::chrono::ceil<milliseconds>(deadline - now));
  return t.count() < 0 ? left : std::min(t, left);
}

/// Errors after which the backend, not the client, is to blame.
bool backend_failed(int error) {
  return error == ECONNREFUSED || error == ECONNRESET || error == EPIPE || error == ETIMEDOUT ||
         error == ENOENT || error == EAGAIN || error == EHOSTUNREACH || error == ENETUNREACH ||
         error == ECONNABORTED;
}

}  // namespace

Proxy::Proxy(Options options, int listen_count)
    : options_(std::move(options)), policy_(options_.policy) {
  std::signal(SIGPIPE, SIG_IGN);
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (epoll_.get() < 0) throw Error(std::string("epoll_create1: ") + std::strerror(errno));
  signals_ = make_signalfd();
  signal_watch_.fd = signals_.get();
  signal_watch_.watch(epoll_.get(), EPOLLIN);
  listeners_.reserve(listen_count);
  for (int i = 0; i < listen_count; ++i)
    listeners_.push_back(Watch{Watch::Kind::kListen, kListenFdsStart + i});
}

void Proxy::load_backends() { backends_.replace(read_backend_file(options_.backends_file)); }

int Proxy::run() {
  update_accepting();
  notify_ready();
  epoll_event events[kMaxEvents];
  for (;;) {
    if (stopping_ && connections_.empty()) return 0;
    int n = epoll_wait(epoll_.get(), events, kMaxEvents, next_timeout());
    if (n < 0 && errno != EINTR) throw Error(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < n; ++i)
      dispatch(*static_cast<Watch*>(events[i].data.ptr), events[i].events);
    expire_connects();
    released_.clear();
    if (stopping_ && !connections_.empty() && Clock::now() >= stop_deadline_) {
      log("stop timeout: closing %zu open connection(s)", connections_.size());
      return 0;
    }
    update_accepting();
    publish_status();
  }
}

void Proxy::dispatch(Watch& w, unsigned events) {
  switch (w.kind) {
    case Watch::Kind::kListen:
      return accept_clients(w.fd);
    case Watch::Kind::kSignal:
      return handle_signal();
    case Watch::Kind::kClient:
      break;
    case Watch::Kind::kServer:
      break;
  }
  Connection& c = *w.connection;
  if (c.released) return;  // An earlier event of this batch ended it.
  if (w.kind == Watch::Kind::kServer && c.state == Connection::State::kConnecting)
    return on_server_ready(c);
  pump(c, Connection::Ready::from_event(w.kind, events));
}

void Proxy::accept_clients(int listen_fd) {
  while (!stopping_ && connections_.size() < options_.max_connections) {
    core::UniqueFd fd(accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN) {
        // Out of descriptors or memory: wait a little rather than spin on the ready socket.
        log("accept: %s, pausing for %lld ms", std::strerror(errno),
            static_cast<long long>(kTick.count()));
        accept_paused_until_ = Clock::now() + kTick;
      }
      return;
    }
    ++counts_.accepted;
    try {
      auto c = std::make_unique<Connection>(std::move(fd));
      Connection& ref = *c;
      connections_.emplace(&ref, std::move(c));
      connect_next(ref);
    } catch (const Error& e) {
      log("%s: releasing this connection", e.what());
      accept_paused_until_ = Clock::now() + kTick;
      return;
    }
  }
}

void Proxy::connect_next(Connection& c, bool rehoming) {
  for (;;) {
    auto now = Clock::now();
    BackendPtr b = backends_.choose(policy_, c.tried, now);
    if (!b) {  // No backend left to try: the client sees its connection closed.
      ++counts_.unserved;
      return release(c);
    }
    if (!c.tried.empty())
      ++counts_.retried;  // an earlier backend of this client failed
    else if (rehoming)
      ++counts_.rehomed;
    c.tried.push_back(b.get());
    int r = c.connect_to(b);
    if (r == 0) {
      mark_up(*b);
      return pump(c);
    }
    if (r == EINPROGRESS) {
      if (!c.timing) ++connecting_;
      c.timing = true;
      c.deadline = now + options_.connect_timeout;
      c.update_watches(epoll_.get());
      return;
    }
    mark_down(*b, r);
  }
}

void Proxy::on_server_ready(Connection& c) {
  int r = c.connect_result();
  if (r != 0) {
    mark_down(*c.backend(), r);
    return connect_next(c);
  }
  mark_up(*c.backend());
  pump(c);
}

void Proxy::pump(Connection& c, Connection::Ready ready) {
  if (c.timing) --connecting_;
  c.timing = false;
  if (c.parked) return rehome(c);  // the client asks again (or hangs up) after its backend closed
  auto o = c.pump(ready);
  const bool server_ended =
      o.error != 0 ? o.side == Side::kServer && backend_failed(o.error) : c.server_closed();
  if (server_ended && c.can_rehome()) return c.nothing_unanswered() ? park(c) : rehome(c);
  if (o.error == 0 && c.server_closed() && !c.close_passed()) {  // held, but no rehoming possible
    c.pass_close();
    o = c.pump();
  }
  if (o.error != 0 && o.side == Side::kServer && backend_failed(o.error) && c.can_retry()) {
    mark_down(*c.backend(), o.error);
    return connect_next(c);
  }
  if (o.error != 0 || o.done) return release(c);
  c.update_watches(epoll_.get());
}

void Proxy::park(Connection& c) {
  c.drop_server();
  c.parked = true;
  ++parked_;
  c.deadline = Clock::now() + kParkFor;
  c.update_watches(epoll_.get());
}

void Proxy::rehome(Connection& c) {
  if (c.parked) --parked_;
  if (int e = c.prepare_rehome()) {
    log("rehoming a connection: %s, releasing it", std::strerror(e));
    return release(c);
  }
  connect_next(c, true);
}

void Proxy::mark_down(Backend& b, int error) {
  if (b.up(Clock::now()))
    log("backend '%s': %s, skipping it for %lld ms", b.spec.name.c_str(), std::strerror(error),
        static_cast<long long>(options_.down_for.count()));
  b.down_until = Clock::now() + options_.down_for;
}

void Proxy::mark_up(Backend& b) {
  if (b.marked_down()) log("backend '%s' accepts again", b.spec.name.c_str());
  b.down_until = Clock::time_point();
}

void Proxy::release(Connection& c) {
  if (c.timing) --connecting_;
  c.timing = false;
  if (c.parked) --parked_;
  c.parked = false;
  c.release();
  auto it = connections_.find(&c);
  released_.push_back(std::move(it->second));
  connections_.erase(it);
}

void Proxy::expire_connects() {
  if (connecting_ == 0 && parked_ == 0) return;
  auto now = Clock::now();
  std::vector<Connection*> late, idle;
  for (auto& [c, owned] : connections_) {
    if (c->timing && now >= c->deadline) late.push_back(c);
    if (c->parked && now >= c->deadline) idle.push_back(c);
  }
  for (Connection* c : late) {
    mark_down(*c->backend(), ETIMEDOUT);
    connect_next(*c);
  }
  // The client did not ask again: the backend's close reaches it now, as it would have at once.
  for (Connection* c : idle) release(*c);
}

void Proxy::handle_signal() {
  signalfd_siginfo info;
  while (read(signals_.get(), &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP)
      reload();
    else
      begin_stop();
  }
}

void Proxy::reload() {
  notify("RELOADING=1");
  try {
    load_backends();
    log("reloaded %zu backend(s)", backends_.all().size());
  } catch (const Error& e) {
    log("reload: %s, keeping the old backends", e.what());
  }
  notify_ready();
}

void Proxy::begin_stop() {
  if (stopping_) return;
  stopping_ = true;
  stop_deadline_ = Clock::now() + options_.stop_timeout;
  notify("STOPPING=1");
  log("stopping: %zu open connection(s) may finish", connections_.size());
  update_accepting();
}

void Proxy::update_accepting() {
  bool accept = !stopping_ && connections_.size() < options_.max_connections &&
                Clock::now() >= accept_paused_until_;
  for (Watch& l : listeners_) l.watch(epoll_.get(), accept ? EPOLLIN : 0u);
}

int Proxy::next_timeout() const {
  auto now = Clock::now();
  milliseconds t(-1);
  if (connecting_ > 0 || parked_ > 0 || now < accept_paused_until_) t = kTick;
  if (stopping_) t = sooner(t, stop_deadline_, now);
  if (auto publish_at = status_.deadline()) t = sooner(t, *publish_at, now);
  return static_cast<int>(t.count());
}

core::BalancerCounters Proxy::counters() const {
  core::BalancerCounters c = counts_;
  c.open = connections_.size();
  c.backends = backends_.all().size();
  c.backends_up = static_cast<std::uint64_t>(
      std::count_if(backends_.all().begin(), backends_.all().end(),
                    [](const BackendPtr& b) { return !b->spec.drain && !b->marked_down(); }));
  return c;
}

void Proxy::publish_status() {
  if (auto text = status_.update(counters(), Clock::now())) notify("STATUS=" + *text);
}

void Proxy::notify_ready() {
  notify("READY=1\nSTATUS=" + status_.publish(counters(), Clock::now()));
}

}  // namespace pmctl::balancer
