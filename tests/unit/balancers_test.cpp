#include "core/lifecycle/balancers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "core/base/files.hpp"
#include "core/cluster/cluster.hpp"
#include "lifecycle_parts_fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using BalancersTest = PartsTest;

core::RegistryData two_instances() {
  core::RegistryData data;
  for (int i = 0; i < 2; ++i) {
    core::AppRecord rec;
    rec.id = i;
    rec.instance = 1 - i;  // the file lists them by instance number
    rec.decl.name = "web";
    rec.decl.cluster.enabled = true;
    rec.endpoint = core::tcp_endpoint(static_cast<std::uint16_t>(20000 + i));
    data.apps.push_back(rec);
  }
  return data;
}

TEST_F(BalancersTest, TheBackendFileListsTheInstancesByNumberThenTheDrainingOnes) {
  balancers_.write_backends(two_instances(), "web", {"tcp:127.0.0.1:20009 drain"});
  const std::string text = core::read_file(core::backend_file_path((dir_ / "run").string(), "web"));
  EXPECT_THAT(text,
              HasSubstr("tcp:127.0.0.1:20001\ntcp:127.0.0.1:20000\ntcp:127.0.0.1:20009 drain\n"));
}

TEST_F(BalancersTest, ARunningBalancerIsToldToReadItsFileAgain) {
  manager_.units["pmctl-web-lb.service"] = manager_.running("pmctl-web-lb.service");
  balancers_.signal("web");
  EXPECT_THAT(manager_.calls, Contains("kill pmctl-web-lb.service " + std::to_string(SIGHUP)));
}

TEST_F(BalancersTest, StopClosesThePublicSocketBeforeTheBalancer) {
  manager_.units["pmctl-web-lb.socket"] = manager_.running("pmctl-web-lb.socket");
  manager_.units["pmctl-web-lb.service"] = manager_.running("pmctl-web-lb.service");
  balancers_.stop("web");
  EXPECT_THAT(
      manager_.calls,
      ::testing::ElementsAre("stop pmctl-web-lb.socket", "reset_failed pmctl-web-lb.socket",
                             "stop pmctl-web-lb.service", "reset_failed pmctl-web-lb.service"));
}

}  // namespace
}  // namespace pmctl::test
