#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/types/unique_fd.hpp"

namespace pmctl::balancer {

/// Which socket of a connection a failure came from.
enum class Side { kClient, kServer };

/// One direction of a connection. The common case, a message the destination takes at once,
/// goes through one buffer shared by all connections (recv + send, no copy kept). Whatever the
/// destination cannot take yet waits in a kernel pipe made for this direction on first need, and
/// from then on bytes move with splice(2) until the pipe is empty again. So the process's memory
/// does not grow with connections or traffic, and a connection that never backs up costs no pipe.
class Flow {
 public:
  /// Moves what it can without blocking. Returns 0, or the errno of a failed read (from `src`)
  /// or write (to `dst`), with `failed` set to the side it came from.
  int pump(int src, int dst, Side src_side, Side dst_side, Side& failed);

  bool wants_read() const { return !src_eof_ && pending_ < capacity_; }
  bool wants_write() const { return pending_ > 0; }
  bool has_pending() const { return pending_ > 0; }
  /// The source said EOF, everything reached the destination, and it was told (shutdown).
  bool finished() const { return dst_shut_; }
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t received() const { return received_; }
  /// Whether this direction has made its pipe (it backed up once).
  bool has_pipe() const { return write_end_.get() >= 0; }

  /// Forgets the destination's side of things after it was replaced by a fresh socket; the
  /// bytes still in the pipe go to the new one.
  void new_destination() { dst_shut_ = false; }
  /// Forgets the source's EOF after it was replaced by a fresh socket.
  void new_source() { src_eof_ = false; }

  /// While set, every byte read from the source is appended to `*copy` too (at most kCopyLimit
  /// bytes; a longer run, or bytes that went through the pipe, make `copy_lost()` true). What a
  /// connection needs to send a request again elsewhere (docs/balancer.md, "Rehoming").
  void copy_into(std::string* copy) { copy_ = copy; }
  bool copy_lost() const { return copy_lost_; }
  void reset_copy() { copy_lost_ = false; }
  void mark_copy_lost() { copy_lost_ = true; }
  /// While set, the source's EOF is not passed on (no shutdown of the destination).
  void hold_eof(bool hold) { hold_eof_ = hold; }
  /// The source ended and everything it sent reached the destination.
  bool source_done() const { return src_eof_ && pending_ == 0; }
  /// Throws away what waits for the destination and queues `bytes` instead (for a new destination).
  int replace_pending(const std::string& bytes);
  static constexpr std::size_t kCopyLimit = 16384;

 private:
  int pass_through(int src, int dst, Side src_side, Side dst_side, Side& failed);
  int keep(const char* data, std::size_t size);
  int make_pipe();
  int fill(int src);
  int drain(int dst);

  core::UniqueFd read_end_, write_end_;
  /// Linux's default pipe size, until a pipe says its own (F_GETPIPE_SZ).
  static constexpr std::size_t kDefaultCapacity = 65536;
  std::size_t capacity_ = kDefaultCapacity, pending_ = 0;
  std::uint64_t received_ = 0, delivered_ = 0;
  bool src_eof_ = false, dst_shut_ = false;
  bool short_read_ = false;  ///< the last read took less than there was room for
  std::string* copy_ = nullptr;
  bool copy_lost_ = false, hold_eof_ = false;
};

}  // namespace pmctl::balancer
