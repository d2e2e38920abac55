// Who owns a local TCP connection's other end (core/text/proc_net): addresses written as the
// kernel writes them in /proc/net/tcp and tcp6, and the owner's uid found by both ends.
#include "core/text/proc_net.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace pmctl::test {
namespace {

TEST(ProcNet, WritesAddressesAsTheKernelDoes) {
  unsigned char loopback[4];
  const in_addr a{htonl(INADDR_LOOPBACK)};
  std::memcpy(loopback, &a, 4);
  // x86 and arm64 are little-endian: 127.0.0.1 reads 0x0100007F.
  EXPECT_EQ(core::proc_net_ipv4(loopback, 17690), "0100007F:451A");
  unsigned char v6[16] = {};
  v6[15] = 1;  // ::1
  EXPECT_EQ(core::proc_net_ipv6(v6, 8080), "00000000000000000000000001000000:1F90");
}

TEST(ProcNet, FindsTheOwnerOfTheSocketWithBothEnds) {
  const std::string table =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode\n"
      "   0: 0100007F:451A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
      "0 1087 1 0 100 0 0 10 0\n"
      "   1: 0100007F:9C40 0100007F:451A 01 00000000:00000000 00:00000000 00000000  1000        "
      "0 2001 1 0 20 4 30 10 -1\n"
      "   2: 0100007F:451A 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        "
      "0 2002 1 0 20 4 30 10 -1\n";
  EXPECT_EQ(core::socket_owner(table, "0100007F:9C40", "0100007F:451A"), 1000u) << "the client";
  EXPECT_EQ(core::socket_owner(table, "0100007F:451A", "0100007F:9C40"), 0u) << "the server";
  EXPECT_EQ(core::socket_owner(table, "0100007F:9C41", "0100007F:451A"), std::nullopt);
  EXPECT_EQ(core::socket_owner("", "0100007F:9C40", "0100007F:451A"), std::nullopt);
  EXPECT_EQ(core::socket_owner("   1: 0100007F:9C40 0100007F:451A 01 x y z abc", "0100007F:9C40",
                               "0100007F:451A"),
            std::nullopt)
      << "no number where the uid goes";
}

}  // namespace
}  // namespace pmctl::test
