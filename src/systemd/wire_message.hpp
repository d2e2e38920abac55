#pragma once

// The D-Bus wire format (D-Bus specification, "Message Protocol"), only as far as pmctl's
// read-only queries need it: method calls with string arguments out, replies with strings,
// object paths, signatures, 32-bit integers, arrays, structs and variants back. Little-endian
// only (what every x86 and arm64 systemd sends): a message in the other byte order is a
// WireError, and the caller falls back to sd-bus.
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::sd::wire {

/// Whether pmctl's own client can talk to a manager on a host of byte order `host`. systemd writes
/// its replies in its host's byte order and this format is little-endian only, so on a
/// big-endian host (s390x) reads go through sd-bus like everything else.
constexpr bool wire_client_available(std::endian host) { return host == std::endian::little; }
inline constexpr bool kWireClientAvailable = wire_client_available(std::endian::native);

/// A message that does not parse, or a connection that breaks.
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class MessageType : std::uint8_t { MethodCall = 1, MethodReturn = 2, Error = 3, Signal = 4 };

/// Appends values with the alignment the format asks for, counted from the start of `bytes`
/// (a message body starts 8-aligned, so a body written alone aligns the same way).
class Writer {
 public:
  void byte(std::uint8_t v);
  void u32(std::uint32_t v);
  /// A STRING or OBJECT_PATH: length, bytes, NUL.
  void string(std::string_view s);
  /// A SIGNATURE: one-byte length, bytes, NUL.
  void signature(std::string_view s);
  /// `as`: an array of strings.
  void strings(const std::vector<std::string>& items);
  void align(std::size_t n);
  const std::string& bytes() const { return bytes_; }
  std::string& bytes() { return bytes_; }

 private:
  void put_u32_at(std::size_t at, std::uint32_t v);
  std::string bytes_;
};

/// Reads values from a message, checking every bound; alignment is counted from the start of
/// the message, so a reader of the body starts at the body's offset.
class Reader {
 public:
  Reader(std::string_view message, std::size_t offset) : data_(message), pos_(offset) {}
  std::uint8_t byte();
  std::uint32_t u32();
  std::uint64_t u64();
  std::string_view string();
  std::string_view signature();
  void align(std::size_t n);
  std::size_t position() const { return pos_; }

 private:
  void need(std::size_t n) const;
  std::string_view data_;
  std::size_t pos_;
};

/// A parsed message; the views point into the bytes it was parsed from.
struct MessageView {
  MessageType type = MessageType::Signal;
  std::uint32_t serial = 0;
  std::uint32_t reply_serial = 0;  ///< for returns and errors
  std::string_view error_name;     ///< for errors
  std::string_view signature;      ///< of the body
  std::size_t body_offset = 0;     ///< where the body starts in the message
};

/// What a method call says: destination, object, interface, member, and the body's signature.
struct Call {
  std::string_view destination;
  std::string_view path;
  std::string_view interface;
  std::string_view member;
  std::string_view signature;  ///< "" for no arguments
};

/// A whole METHOD_CALL message with serial `serial` and the already marshalled `body`.
std::string method_call(std::uint32_t serial, const Call& call, const std::string& body);

/// The size of the message at the start of `buffer` once its fixed header is in (16 bytes),
/// else 0. Throws WireError for a message that is not little-endian D-Bus version 1, or too big.
std::size_t message_size(std::string_view buffer);

/// Parses the header of one whole message (exactly message_size() bytes).
MessageView parse_header(std::string_view message);

/// An object path for `unit` under `prefix`, escaped as systemd does (sd_bus_path_encode):
/// every byte outside [A-Za-z0-9], and a leading digit, becomes `_xx` (lowercase hex).
std::string path_encode(std::string_view prefix, std::string_view unit);

}  // namespace pmctl::sd::wire
