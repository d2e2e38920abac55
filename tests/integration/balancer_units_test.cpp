// The balancer as cluster mode will run it: a transient socket owning the public port, the
// hardened pmctl-balancer service created with it, and an instance behind it, all in a real
// systemd 252. Also records what `systemd-analyze security` thinks of that service.
#include "core/units/balancer_units.hpp"

#include <sys/stat.h>

#include <regex>

#include "fixture.hpp"
#include "systemd/sd_manager.hpp"

namespace pmctl::test {
namespace {

int free_port() {
  const Result r =
      sh("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); "
         "print(s.getsockname()[1])'");
  return std::stoi(r.out);
}

std::string connect_and_read(int port) {
  return sh("python3 -c 'import socket; s=socket.create_connection((\"127.0.0.1\", " +
            std::to_string(port) + ")); print(s.recv(100).decode(), end=\"\")'")
      .out;
}

class BalancerUnitsTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    manager_ = sd::connect_manager(core::Scope::System);
    dir_ = "/run/" + unique_name("pmctl-lb-test");
    ASSERT_EQ(sh("mkdir -p -m 0755 " + dir_).exit_code, 0);
  }
  void TearDown() override {
    for (const auto& unit : units_) {
      manager_->stop(unit);
      manager_->reset_failed(unit);
    }
    sh("rm -rf " + dir_);
    PmctlTest::TearDown();
  }
  std::unique_ptr<core::Manager> manager_;
  std::string dir_;
  std::vector<std::string> units_;
};

TEST_F(BalancerUnitsTest, TheHardenedBalancerServesThePublicPortFromAnInstance) {
  const int backend = free_port(), front = free_port();
  const std::string app = unique_name("lbapp");
  ASSERT_EQ(pmctl({"start", "node", "--name", app, "--", "-e",
                   "require('net').createServer(c => c.end('from the instance\\n')).listen(" +
                       std::to_string(backend) + ")"})
                .exit_code,
            0);
  ASSERT_TRUE(eventually([&] { return connect_and_read(backend) == "from the instance\n"; }));
  const std::string backends = dir_ + "/backends";
  ASSERT_EQ(sh("printf 'tcp:127.0.0.1:" + std::to_string(backend) + "\\n' > " + backends +
               " && chmod 0644 " + backends)
                .exit_code,
            0);

  core::BalancerPlan plan;
  plan.app = app;
  plan.listen = "127.0.0.1:" + std::to_string(front);
  plan.backends_file = backends;
  // The service has a private /tmp, so a build tree under /tmp (a CI clone) would be invisible
  // to it: run a copy from the test's directory under /run, as an install runs /usr/libexec's.
  plan.balancer = dir_ + "/pmctl-balancer";
  ASSERT_EQ(sh(std::string("cp ") + PMCTL_BALANCER + " " + plan.balancer).exit_code, 0);
  const core::UnitSpec socket = core::balancer_units(plan);
  units_ = {socket.name, socket.aux.at(0).name};
  manager_->start_transient(socket);

  EXPECT_EQ(connect_and_read(front), "from the instance\n");
  EXPECT_EQ(connect_and_read(front), "from the instance\n");
  const std::string service = socket.aux.at(0).name;
  EXPECT_EQ(unit_property(service, "ActiveState"), "active");
  // It runs as a dynamic user: not root.
  const std::string pid = unit_property(service, "MainPID");
  EXPECT_NE(sh("ps -o user= -p " + pid).out, "root\n");

  const Result security = sh("systemd-analyze security '" + service + "' 2>&1 | tail -1");
  std::cout << "balancer service: " << security.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(security.out, m, std::regex("exposure level for .*: ([0-9.]+)")))
      << security.out;
  RecordProperty("balancer_exposure", m[1].str());
  EXPECT_LE(std::stod(m[1].str()), 2.0) << security.out;
}

}  // namespace
}  // namespace pmctl::test
