#include "balancer/flow.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace pmctl::balancer {
namespace {

constexpr unsigned kSpliceFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
constexpr std::size_t kScratchSize = 65536;

/// One buffer for every connection: the balancer has one thread, and nothing stays in it
/// between two calls (what the destination does not take goes into the pipe).
char scratch[kScratchSize];

bool transient(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

}  // namespace

int Flow::make_pipe() {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) return errno;
  read_end_.reset(fds[0]);
  write_end_.reset(fds[1]);
  int size = fcntl(fds[1], F_GETPIPE_SZ);
  if (size > 0) capacity_ = static_cast<std::size_t>(size);
  return 0;
}

/// Puts bytes the destination did not take into the pipe, behind what is there. The caller
/// never hands over more than the pipe has room for. Returns 0 or an errno.
int Flow::keep(const char* data, std::size_t size) {
  if (size == 0) return 0;
  if (!has_pipe()) {
    if (int e = make_pipe()) return e;
  }
  while (size > 0) {
    ssize_t n = write(write_end_.get(), data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? ENOBUFS : errno;  // no room: cannot happen, see the caller
    }
    pending_ += n;
    data += n;
    size -= n;
  }
  return 0;
}

// The fast path, only while the pipe is empty: read into the shared buffer, send it on, keep
// the rest. Returns 1 when bytes moved or the source ended, 0 when nothing could, or -errno
// with `failed` set.
int Flow::pass_through(int src, int dst, Side src_side, Side dst_side, Side& failed) {
  const std::size_t room = std::min(kScratchSize, capacity_);
  ssize_t n = recv(src, scratch, room, MSG_DONTWAIT);
  if (n == 0) {
    src_eof_ = true;
    return 1;
  }
  if (n < 0) {
    if (transient(errno)) return 0;
    failed = src_side;
    return -errno;
  }
  short_read_ = static_cast<std::size_t>(n) < room;
  received_ += n;
  if (copy_) {
    if (copy_->size() + n <= kCopyLimit)
      copy_->append(scratch, n);
    else
      copy_lost_ = true;
  }
  ssize_t sent = send(dst, scratch, n, MSG_DONTWAIT | MSG_NOSIGNAL);
  int send_error = sent < 0 && !transient(errno) ? errno : 0;
  if (sent < 0) sent = 0;
  delivered_ += sent;
  // Unsent bytes are kept even when the destination failed: a retry can take them elsewhere.
  if (int e = keep(scratch + sent, n - sent)) {
    failed = dst_side;
    return -e;
  }
  if (send_error) {
    failed = dst_side;
    return -send_error;
  }
  return 1;
}

// Returns 1 when bytes moved, 0 when nothing could, or -errno.
int Flow::fill(int src) {
  if (!wants_read()) return 0;
  const std::size_t room = capacity_ - pending_;
  ssize_t n = splice(src, nullptr, write_end_.get(), nullptr, room, kSpliceFlags);
  short_read_ = n > 0 && static_cast<std::size_t>(n) < room;
  if (n > 0 && copy_) copy_lost_ = true;  // spliced: never in this process's memory
  if (n > 0) {
    pending_ += n;
    received_ += n;
    return 1;
  }
  if (n == 0) {
    src_eof_ = true;
    return 1;
  }
  return transient(errno) ? 0 : -errno;
}

int Flow::drain(int dst) {
  if (pending_ == 0) return 0;
  ssize_t n = splice(read_end_.get(), nullptr, dst, nullptr, pending_, kSpliceFlags);
  if (n > 0) {
    pending_ -= n;
    delivered_ += n;
    return 1;
  }
  return n < 0 && !transient(errno) ? -errno : 0;
}

int Flow::replace_pending(const std::string& bytes) {
  read_end_.reset();
  write_end_.reset();
  pending_ = 0;
  capacity_ = kDefaultCapacity;
  return keep(bytes.data(), bytes.size());
}

int Flow::pump(int src, int dst, Side src_side, Side dst_side, Side& failed) {
  for (;;) {
    int in = 0, out = 0;
    if (pending_ == 0 && !src_eof_) {
      in = pass_through(src, dst, src_side, dst_side, failed);
      if (in < 0) return -in;
    } else {
      out = drain(dst);
      if (out < 0) {
        failed = dst_side;
        return -out;
      }
      if (pending_ > 0) {  // Still backed up: read only into the pipe, behind the rest.
        in = fill(src);
        if (in < 0) {
          failed = src_side;
          return -in;
        }
      }
    }
    if (src_eof_ && pending_ == 0 && !dst_shut_ && !hold_eof_) {
      // Half-close: pass the EOF on, and keep the other direction open.
      if (shutdown(dst, SHUT_WR) < 0 && errno != ENOTCONN) {
        failed = dst_side;
        return errno;
      }
      dst_shut_ = true;
    }
    if (in == 0 && out == 0) return 0;
    // A short read emptied the socket: asking again would only say EAGAIN. Epoll (level
    // triggered) reports the next bytes, or the EOF. One system call fewer per message.
    if (short_read_ && pending_ == 0) return 0;
  }
}

}  // namespace pmctl::balancer
