#include "balancer/flow.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "balancer/error.hpp"

namespace pmctl::balancer {
namespace {

constexpr unsigned kSpliceFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;

}  // namespace

Flow::Flow() {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
    throw Error(std::string("cannot make a pipe: ") + std::strerror(errno));
  read_end_.reset(fds[0]);
  write_end_.reset(fds[1]);
  int size = fcntl(fds[1], F_GETPIPE_SZ);
  capacity_ = size > 0 ? static_cast<std::size_t>(size) : 4096;
}

// Returns 1 when bytes moved, 0 when nothing could, or -errno.
int Flow::fill(int src) {
  if (!wants_read()) return 0;
  ssize_t n = splice(src, nullptr, write_end_.get(), nullptr, capacity_ - pending_, kSpliceFlags);
  if (n > 0) {
    pending_ += n;
    received_ += n;
    return 1;
  }
  if (n == 0) {
    src_eof_ = true;
    return 1;
  }
  return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

int Flow::drain(int dst) {
  if (pending_ == 0) return 0;
  ssize_t n = splice(read_end_.get(), nullptr, dst, nullptr, pending_, kSpliceFlags);
  if (n > 0) {
    pending_ -= n;
    delivered_ += n;
    return 1;
  }
  return n < 0 && errno != EAGAIN && errno != EINTR ? -errno : 0;
}

int Flow::pump(int src, int dst, Side src_side, Side dst_side, Side& failed) {
  for (;;) {
    int in = fill(src);
    if (in < 0) {
      failed = src_side;
      return -in;
    }
    int out = drain(dst);
    if (out < 0) {
      failed = dst_side;
      return -out;
    }
    if (src_eof_ && pending_ == 0 && !dst_shut_) {
      // Half-close: pass the EOF on, and keep the other direction open.
      if (shutdown(dst, SHUT_WR) < 0 && errno != ENOTCONN) {
        failed = dst_side;
        return errno;
      }
      dst_shut_ = true;
    }
    if (in == 0 && out == 0) return 0;
  }
}

}  // namespace pmctl::balancer
