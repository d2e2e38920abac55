#pragma once

#include <cstddef>
#include <cstdint>

#include "core/unique_fd.hpp"

namespace pmctl::balancer {

/// Which socket of a connection a failure came from.
enum class Side { kClient, kServer };

/// One direction of a connection: bytes move from a source socket into a pipe and on to a
/// destination socket with splice(2), so they never enter this process's memory and each
/// connection costs two kernel pipes, whatever the traffic.
class Flow {
 public:
  /// Makes the pipe; throws Error when the process is out of descriptors.
  Flow();

  /// Moves what it can without blocking. Returns 0, or the errno of a failed read (from `src`)
  /// or write (to `dst`), with `failed` set to the side it came from.
  int pump(int src, int dst, Side src_side, Side dst_side, Side& failed);

  bool wants_read() const { return !src_eof_ && pending_ < capacity_; }
  bool wants_write() const { return pending_ > 0; }
  /// The source said EOF, everything reached the destination, and it was told (shutdown).
  bool finished() const { return dst_shut_; }
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t received() const { return received_; }

  /// Forgets the destination's side of things after it was replaced by a fresh socket; the
  /// bytes still in the pipe go to the new one.
  void new_destination() { dst_shut_ = false; }
  /// Forgets the source's EOF after it was replaced by a fresh socket.
  void new_source() { src_eof_ = false; }

 private:
  int fill(int src);
  int drain(int dst);

  core::UniqueFd read_end_, write_end_;
  std::size_t capacity_ = 0, pending_ = 0;
  std::uint64_t received_ = 0, delivered_ = 0;
  bool src_eof_ = false, dst_shut_ = false;
};

}  // namespace pmctl::balancer
