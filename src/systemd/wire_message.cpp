#include "systemd/wire_message.hpp"

namespace pmctl::sd::wire {
namespace {

// Header field codes (D-Bus specification, "Header Fields").
enum HeaderField : std::uint8_t {
  kPath = 1,
  kInterface = 2,
  kMember = 3,
  kErrorName = 4,
  kReplySerial = 5,
  kDestination = 6,
  kSignatureField = 8,
};

constexpr std::size_t kFixedHeader = 16;
/// The specification's limit for a whole message.
constexpr std::size_t kMaxMessage = 128 * 1024 * 1024;

// Little-endian whatever the host's byte order, so that this code builds and its tests pass on
// every host, including the big-endian ones where connect_manager does not use the client.
std::uint32_t load_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

void store_u32(std::string& bytes, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

/// Appends one header field `(yv)` holding a string-like value of type `type` ('s','o','g').
void header_field(Writer& w, std::uint8_t code, char type, std::string_view value) {
  w.align(8);
  w.byte(code);
  w.signature(std::string_view(&type, 1));
  if (type == 'g')
    w.signature(value);
  else
    w.string(value);
}

/// Skips one value of the single complete type at the start of `sig` (used for header fields
/// that pmctl does not read).
void skip_value(Reader& r, std::string_view sig) {
  switch (sig.empty() ? '\0' : sig[0]) {
    case 'y':
      r.byte();
      return;
    case 'u':
    case 'i':
      r.u32();
      return;
    case 's':
    case 'o':
      r.string();
      return;
    case 'g':
      r.signature();
      return;
    default:
      throw WireError("D-Bus header field of an unexpected type '" + std::string(sig) + "'");
  }
}

}  // namespace

void Writer::byte(std::uint8_t v) { bytes_.push_back(static_cast<char>(v)); }

void Writer::u32(std::uint32_t v) {
  align(4);
  const std::size_t at = bytes_.size();
  bytes_.resize(at + 4);
  put_u32_at(at, v);
}

void Writer::put_u32_at(std::size_t at, std::uint32_t v) { store_u32(bytes_, at, v); }

void Writer::string(std::string_view s) {
  u32(static_cast<std::uint32_t>(s.size()));
  bytes_.append(s);
  bytes_.push_back('\0');
}

void Writer::signature(std::string_view s) {
  byte(static_cast<std::uint8_t>(s.size()));
  bytes_.append(s);
  bytes_.push_back('\0');
}

void Writer::strings(const std::vector<std::string>& items) {
  u32(0);  // the length, filled in below
  const std::size_t length_at = bytes_.size() - 4;
  const std::size_t start = bytes_.size();  // strings are 4-aligned: no padding before the first
  for (const auto& item : items) string(item);
  put_u32_at(length_at, static_cast<std::uint32_t>(bytes_.size() - start));
}

void Writer::align(std::size_t n) { bytes_.append((n - bytes_.size() % n) % n, '\0'); }

void Reader::need(std::size_t n) const {
  if (pos_ > data_.size() || data_.size() - pos_ < n) throw WireError("truncated D-Bus message");
}

void Reader::align(std::size_t n) {
  const std::size_t aligned = (pos_ + n - 1) / n * n;
  need(aligned - pos_);
  pos_ = aligned;
}

std::uint8_t Reader::byte() {
  need(1);
  return static_cast<std::uint8_t>(data_[pos_++]);
}

std::uint32_t Reader::u32() {
  align(4);
  need(4);
  const std::uint32_t v = load_u32(data_, pos_);
  pos_ += 4;
  return v;
}

std::uint64_t Reader::u64() {
  align(8);
  need(8);
  const std::uint64_t low = load_u32(data_, pos_), high = load_u32(data_, pos_ + 4);
  pos_ += 8;
  return low | (high << 32);
}

std::string_view Reader::string() {
  const std::uint32_t size = u32();
  need(static_cast<std::size_t>(size) + 1);
  std::string_view s = data_.substr(pos_, size);
  if (data_[pos_ + size] != '\0') throw WireError("D-Bus string without its NUL");
  pos_ += size + 1;
  return s;
}

std::string_view Reader::signature() {
  const std::uint8_t size = byte();
  need(static_cast<std::size_t>(size) + 1);
  std::string_view s = data_.substr(pos_, size);
  pos_ += size + 1;
  return s;
}

std::string method_call(std::uint32_t serial, const Call& call, const std::string& body) {
  Writer w;
  w.bytes().reserve(256 + body.size());
  w.byte('l');
  w.byte(static_cast<std::uint8_t>(MessageType::MethodCall));
  w.byte(0);  // flags: a reply is expected, auto-start is allowed
  w.byte(1);  // protocol version
  w.u32(static_cast<std::uint32_t>(body.size()));
  w.u32(serial);
  w.u32(0);  // the header fields' array length, filled in below
  const std::size_t fields_start = w.bytes().size();  // 16: already 8-aligned
  header_field(w, kPath, 'o', call.path);
  if (!call.destination.empty()) header_field(w, kDestination, 's', call.destination);
  header_field(w, kInterface, 's', call.interface);
  header_field(w, kMember, 's', call.member);
  if (!call.signature.empty()) header_field(w, kSignatureField, 'g', call.signature);
  store_u32(w.bytes(), 12, static_cast<std::uint32_t>(w.bytes().size() - fields_start));
  w.align(8);
  w.bytes().append(body);
  return std::move(w.bytes());
}

std::size_t message_size(std::string_view buffer) {
  if (buffer.size() < kFixedHeader) return 0;
  if (buffer[0] != 'l')
    throw WireError(std::string("D-Bus message in byte order '") + buffer[0] + "', not 'l'");
  if (buffer[3] != 1)
    throw WireError("D-Bus message of protocol version " + std::to_string(buffer[3]));
  const std::size_t body = load_u32(buffer, 4);
  const std::size_t fields = load_u32(buffer, 12);
  const std::size_t header = (kFixedHeader + fields + 7) / 8 * 8;
  if (body > kMaxMessage || fields > kMaxMessage) throw WireError("D-Bus message too big");
  return header + body;
}

MessageView parse_header(std::string_view message) {
  MessageView m;
  Reader r(message, 1);
  m.type = static_cast<MessageType>(r.byte());
  r.byte();  // flags
  r.byte();  // version
  const std::uint32_t body = r.u32();
  m.serial = r.u32();
  const std::size_t fields_end = r.u32() + kFixedHeader;
  while (r.position() < fields_end) {
    r.align(8);
    const std::uint8_t code = r.byte();
    const std::string_view sig = r.signature();
    if (code == kReplySerial && sig == "u")
      m.reply_serial = r.u32();
    else if (code == kErrorName && sig == "s")
      m.error_name = r.string();
    else if (code == kSignatureField && sig == "g")
      m.signature = r.signature();
    else
      skip_value(r, sig);
  }
  m.body_offset = (fields_end + 7) / 8 * 8;
  if (m.body_offset + body != message.size()) throw WireError("D-Bus message of the wrong size");
  return m;
}

std::string path_encode(std::string_view prefix, std::string_view unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string path(prefix);
  path.reserve(prefix.size() + 1 + unit.size() * 3);
  path += '/';
  if (unit.empty()) return path + '_';
  for (std::size_t i = 0; i < unit.size(); ++i) {
    const auto c = static_cast<unsigned char>(unit[i]);
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (alpha || (digit && i > 0)) {
      path += static_cast<char>(c);
    } else {
      path += '_';
      path += kHex[c >> 4];
      path += kHex[c & 15];
    }
  }
  return path;
}

}  // namespace pmctl::sd::wire
