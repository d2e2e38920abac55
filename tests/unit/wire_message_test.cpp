// The D-Bus wire format of pmctl's private-socket client (src/systemd/wire_message.cpp).
#include "systemd/wire_message.hpp"

#include <gtest/gtest.h>
#include <systemd/sd-bus.h>

#include <bit>
#include <cstdlib>
#include <string>
#include <string_view>

namespace pmctl::sd::wire {
namespace {

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

TEST(WireMessageTest, PathEncodeEscapesAsSdBusDoes) {
  for (const char* unit : {"pmctl-b1-0.service", "1abc.service", "", "a_b", "-x", "é.service",
                           "pmctl-web\\x2fapi-3.service", "Z9", "9"}) {
    char* expected = nullptr;
    ASSERT_GE(sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &expected), 0);
    EXPECT_EQ(path_encode("/org/freedesktop/systemd1/unit", unit), expected) << unit;
    std::free(expected);
  }
}

TEST(WireMessageTest, MethodCallHasTheSpecifiedLayout) {
  // Fixed header, then (yv) fields each 8-aligned: PATH 'o', INTERFACE 's', MEMBER 's'.
  const std::string m = method_call(7, Call{"", "/a", "i.f", "M", ""}, "");
  EXPECT_EQ(hex(m),
            "6c010001"
            "00000000"
            "07000000"
            "2a000000"  // 'l', call, flags, v1; body; serial; 42
            "01016f00"
            "02000000"
            "2f610000"
            "00000000"  // PATH o "/a", pad
            "02017300"
            "03000000"
            "692e6600"
            "00000000"  // INTERFACE s "i.f", pad
            "03017300"
            "01000000"
            "4d00"
            "000000000000"  // MEMBER s "M", pad to 8
  );
  EXPECT_EQ(message_size(m), m.size());
}

TEST(WireMessageTest, ParsesWhatItWrites) {
  Writer body;
  body.strings({"a.service", "bb.service"});
  const std::string m =
      method_call(42,
                  Call{"org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                       "org.freedesktop.systemd1.Manager", "ListUnitsByNames", "as"},
                  body.bytes());
  ASSERT_EQ(message_size(m), m.size());
  const MessageView v = parse_header(m);
  EXPECT_EQ(v.type, MessageType::MethodCall);
  EXPECT_EQ(v.serial, 42u);
  EXPECT_EQ(v.signature, "as");
  EXPECT_EQ(v.body_offset % 8, 0u);
  Reader r(m, v.body_offset);
  EXPECT_EQ(r.u32(), 4u + 10 + 2 + 4 + 11);  // len "a.service\0", pad to 4, len "bb.service\0"
  EXPECT_EQ(r.string(), "a.service");
  EXPECT_EQ(r.string(), "bb.service");
  EXPECT_EQ(r.position(), m.size());
}

TEST(WireMessageTest, ReadsIntegersAsLittleEndianOnEveryHost) {
  Reader r(std::string_view("\x2a\x00\x00\x01", 4), 0);
  EXPECT_EQ(r.u32(), 0x0100002au);
}

TEST(WireMessageTest, TheClientIsUsedOnlyOnLittleEndianHosts) {
  EXPECT_TRUE(wire_client_available(std::endian::little));
  EXPECT_FALSE(wire_client_available(std::endian::big));  // systemd would reply in 'B' order
  EXPECT_EQ(kWireClientAvailable, std::endian::native == std::endian::little);
}

TEST(WireMessageTest, AnIncompleteHeaderIsNotAMessageYet) {
  const std::string m = method_call(1, Call{"", "/a", "i.f", "M", ""}, "");
  EXPECT_EQ(message_size(m.substr(0, 15)), 0u);
  EXPECT_EQ(message_size(m.substr(0, 16)), m.size());  // the size is known from the fixed header
}

TEST(WireMessageTest, RefusesWhatItCannotRead) {
  std::string m = method_call(1, Call{"", "/a", "i.f", "M", ""}, "");
  std::string big_endian = m;
  big_endian[0] = 'B';
  EXPECT_THROW(message_size(big_endian), WireError);
  std::string version2 = m;
  version2[3] = 2;
  EXPECT_THROW(message_size(version2), WireError);
  EXPECT_THROW(parse_header(m.substr(0, 40)), WireError);  // cut inside a header field
  Reader r(
      "\x05\x00\x00\x00"
      "ab",
      0);  // a string longer than the message
  EXPECT_THROW(r.string(), WireError);
}

}  // namespace
}  // namespace pmctl::sd::wire
