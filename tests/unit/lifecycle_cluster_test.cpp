// Cluster mode's verbs over the in-memory manager: what is created, what a failure leaves
// behind (nothing), and what stop, start and delete do to the balancer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/cluster/cluster.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/types/error.hpp"
#include "fake_manager.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

/// `d` without a public port: a pool of workers.
AppDecl pool(AppDecl d) {
  d.env.erase("PORT");
  d.cluster.public_port = 0;
  return d;
}

class LifecycleClusterTest : public ::testing::Test {
 protected:
  LifecycleClusterTest()
      : dir_(fs::temp_directory_path() /
             ("pmctl-cluster-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))),
        registry_(dir_ / "state"),
        lifecycle_(registry_, manager_, Scope::System, tools()) {
    // The node preload must exist for node instances to start (Lifecycle refuses otherwise).
    fs::create_directories(dir_);
    std::ofstream(dir_ / "pmctl-preload.cjs") << "// stand-in\n";
  }
  ~LifecycleClusterTest() override { fs::remove_all(dir_); }

  Tools tools() {
    Tools t;
    t.runtime_dir = (dir_ / "run").string();
    t.unit_dir = (dir_ / "units").string();
    t.node_preload = (dir_ / "pmctl-preload.cjs").string();
    t.balancer = "/usr/libexec/pmctl-balancer";
    t.port_free = [this](const std::string& address, std::uint16_t port) {
      probed_.insert(address + ":" + std::to_string(port));
      return busy_.count(port) == 0;
    };
    t.unprivileged_port_start = [] { return 1024u; };
    t.endpoint_ready = [this](const std::string& endpoint, std::chrono::milliseconds) {
      return never_ready_.count(endpoint) == 0;
    };
    return t;
  }

  AppDecl web(int instances = 2) {
    AppDecl d;
    d.name = "web";
    d.script = "/srv/web.js";
    d.interpreter = "/usr/bin/node";
    d.cwd = "/srv";
    d.env["PORT"] = "3000";
    d.cluster.enabled = true;
    d.cluster.instances = instances;
    d.cluster.public_port = 3000;
    return d;
  }

  std::string backends() { return read(dir_ / "run/apps/web/backends"); }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  bool loaded(const std::string& unit) { return manager_.units.count(unit) > 0; }

  static inline int counter_ = 0;
  fs::path dir_;
  std::set<std::uint16_t> busy_;
  std::set<std::string> probed_;
  std::set<std::string> never_ready_;
  Registry registry_;
  test::FakeManager manager_;
  Lifecycle lifecycle_;
};

TEST_F(LifecycleClusterTest, StartsOneUnitPerInstanceAndTheBalancerPair) {
  const auto ids = lifecycle_.start_cluster(web(3));
  EXPECT_EQ(ids, (std::vector<int>{0, 1, 2}));
  const auto data = registry_.load();
  ASSERT_EQ(data.apps.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(data.apps[i].instance, i);
    EXPECT_EQ(data.apps[i].endpoint, "tcp:127.0.0.1:" + std::to_string(20000 + i));
    EXPECT_TRUE(loaded("pmctl-web-" + std::to_string(i) + ".service"));
  }
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
  EXPECT_TRUE(loaded("pmctl-web-lb.service"));
  const UnitSpec& socket = manager_.specs.at("pmctl-web-lb.socket");
  ASSERT_EQ(socket.aux.size(), 1u);
  EXPECT_EQ(socket.aux[0].name, "pmctl-web-lb.service");
  EXPECT_EQ(backends(),
            "# pmctl app 'web': 3 instance(s); written by pmctl, read by pmctl-balancer on SIGHUP\n"
            "tcp:127.0.0.1:20000\ntcp:127.0.0.1:20001\ntcp:127.0.0.1:20002\n");
  EXPECT_EQ(fs::status(dir_ / "run/apps/web/backends").permissions() & fs::perms::others_read,
            fs::perms::others_read);
  // The instances' environment files carry their own PORT and instance number.
  EXPECT_THAT(read(registry_.env_file(2)), ::testing::HasSubstr("PORT='20002'"));
  EXPECT_THAT(read(registry_.env_file(2)), ::testing::HasSubstr("NODE_APP_INSTANCE='2'"));
  EXPECT_TRUE(probed_.count("0.0.0.0:3000"));
}

TEST_F(LifecycleClusterTest, GivesANewAppPortsThatNoOtherInstanceHoldsEvenStopped) {
  lifecycle_.start_cluster(web(2));
  lifecycle_.stop(0);
  lifecycle_.stop(1);
  AppDecl api = web(2);
  api.name = "api";
  api.cluster.public_port = 3001;
  busy_.insert(20002);  // something else listens there
  lifecycle_.start_cluster(api);
  const auto data = registry_.load();
  EXPECT_EQ(data.find(2)->endpoint, "tcp:127.0.0.1:20003");
  EXPECT_EQ(data.find(3)->endpoint, "tcp:127.0.0.1:20004");
}

TEST_F(LifecycleClusterTest, KeepsEachInstancesEndpointAcrossRestarts) {
  lifecycle_.start_cluster(web(2));
  const auto before = registry_.load();
  lifecycle_.restart(1);
  lifecycle_.stop(0);
  lifecycle_.stop(1);
  lifecycle_.start(0);
  lifecycle_.start(1);
  EXPECT_EQ(registry_.load().find(1)->endpoint, before.find(1)->endpoint);
  EXPECT_EQ(registry_.load().find(0)->endpoint, before.find(0)->endpoint);
}

TEST_F(LifecycleClusterTest, UsesUnixSocketsUnderTheAppsRuntimeDirectoryOnRequest) {
  AppDecl d = web(2);
  d.cluster.endpoints = Endpoints::Unix;
  lifecycle_.start_cluster(d);
  const std::string dir = (dir_ / "run/apps/web").string();
  EXPECT_EQ(registry_.load().find(1)->endpoint, "unix:" + dir + "/1.sock");
  EXPECT_THAT(read(registry_.env_file(1)), ::testing::HasSubstr("PORT='" + dir + "/1.sock'"));
}

TEST_F(LifecycleClusterTest, RefusesAPortInUseBeforeCreatingAnything) {
  busy_.insert(3000);
  try {
    lifecycle_.start_cluster(web());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "port 3000 is already in use");
  }
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_TRUE(manager_.calls.empty());
}

TEST_F(LifecycleClusterTest, RefusesAPrivilegedPortForAUserManager) {
  Lifecycle user(registry_, manager_, Scope::User, tools());
  AppDecl d = web();
  d.cluster.public_port = 80;
  EXPECT_THROW(user.start_cluster(d), Error);
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_TRUE(manager_.calls.empty());
}

TEST_F(LifecycleClusterTest, RefusesANameThatIsRegistered) {
  lifecycle_.start_new(web(1), false);  // any app of that name, fork or cluster
  const auto calls = manager_.calls.size();
  AppDecl d = web();
  EXPECT_THROW(lifecycle_.start_cluster(d), Error);
  EXPECT_EQ(registry_.load().apps.size(), 1u);
  EXPECT_EQ(manager_.calls.size(), calls);
}

TEST_F(LifecycleClusterTest, RemovesEverythingItCreatedWhenAnInstanceFails) {
  AppDecl bystander = web(1);
  bystander.name = "other";
  bystander.cluster = {};
  lifecycle_.start_new(bystander, false);
  manager_.fail_unit = "pmctl-web-2.service";
  EXPECT_THROW(lifecycle_.start_cluster(web(3)), ManagerError);
  const auto data = registry_.load();
  ASSERT_EQ(data.apps.size(), 1u);
  EXPECT_EQ(data.apps[0].decl.name, "other");
  for (const char* unit : {"pmctl-web-0.service", "pmctl-web-1.service", "pmctl-web-2.service",
                           "pmctl-web-lb.socket", "pmctl-web-lb.service"})
    EXPECT_FALSE(loaded(unit)) << unit;
  EXPECT_TRUE(loaded("pmctl-other-0.service"));
  EXPECT_FALSE(fs::exists(registry_.env_file(1)));
  EXPECT_FALSE(fs::exists(dir_ / "run/apps/web"));
}

TEST_F(LifecycleClusterTest, ExplainsAPublicSocketThatSystemdCouldNotOpenAndRollsBack) {
  manager_.fail_unit = "pmctl-web-lb.socket";
  try {
    lifecycle_.start_cluster(web(2));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()),
                ::testing::HasSubstr("the public port 3000 of 'web' could not be opened"))
        << e.what();
  }
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_TRUE(manager_.units.empty());
}

TEST_F(LifecycleClusterTest, StopsTheBalancerWithTheLastRunningInstance) {
  lifecycle_.start_cluster(web(2));
  lifecycle_.stop(0);
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
  lifecycle_.stop(1);
  EXPECT_FALSE(loaded("pmctl-web-lb.socket"));
  EXPECT_FALSE(loaded("pmctl-web-lb.service"));
  // A start of any instance brings the balancer back.
  lifecycle_.start(1);
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
  EXPECT_TRUE(loaded("pmctl-web-lb.service"));
  EXPECT_FALSE(loaded("pmctl-web-0.service"));
}

TEST_F(LifecycleClusterTest, RestartsOneInstanceOutOfTheBalancerWithoutRestartingIt) {
  lifecycle_.start_cluster(web(2));
  const std::uint32_t balancer_pid = manager_.units.at("pmctl-web-lb.service").main_pid;
  manager_.calls.clear();
  lifecycle_.restart(1);
  EXPECT_EQ(manager_.units.at("pmctl-web-lb.service").main_pid, balancer_pid);
  // Drained before its unit stops (the balancer rehomes what it closes), back in after.
  std::vector<std::string> balancer_calls;
  for (const auto& call : manager_.calls) {
    EXPECT_THAT(call, ::testing::Not(::testing::HasSubstr("pmctl-web-0"))) << call;
    if (call.find("lb.service") != std::string::npos) balancer_calls.push_back(call);
  }
  const std::string hup = "kill pmctl-web-lb.service " + std::to_string(SIGHUP);
  EXPECT_EQ(balancer_calls, (std::vector<std::string>{hup, hup}));
  const auto stop =
      std::find(manager_.calls.begin(), manager_.calls.end(), "stop pmctl-web-1.service");
  ASSERT_NE(stop, manager_.calls.end());
  EXPECT_NE(std::find(manager_.calls.begin(), stop, hup), stop) << "drained first";
  EXPECT_EQ(backends(),
            "# pmctl app 'web': 2 instance(s); written by pmctl, read by pmctl-balancer on SIGHUP\n"
            "tcp:127.0.0.1:20000\ntcp:127.0.0.1:20001\n");
}

// The metrics read the balancer's counters from its StatusText (pmctl-balancer's STATUS=).
TEST_F(LifecycleClusterTest, ReadsTheBalancersCountersFromItsStatusText) {
  lifecycle_.start_cluster(web(2));
  EXPECT_FALSE(lifecycle_.balancer_counters("web")) << "nothing published yet";
  manager_.status_texts["pmctl-web-lb.service"] =
      "open=1 accepted=42 unserved=0 retried=3 rehomed=2 backends=2/2";
  const auto counters = lifecycle_.balancer_counters("web");
  ASSERT_TRUE(counters);
  EXPECT_EQ(counters->accepted, 42u);
  EXPECT_EQ(counters->rehomed, 2u);
  EXPECT_EQ(counters->backends_up, 2u);
  manager_.status_texts["pmctl-web-lb.service"] = "Accepting connections";  // an older balancer
  EXPECT_FALSE(lifecycle_.balancer_counters("web"));
  lifecycle_.stop(0);
  lifecycle_.stop(1);
  manager_.status_texts["pmctl-web-lb.service"] =
      "open=0 accepted=1 unserved=0 retried=0 "
      "rehomed=0 backends=2/2";
  EXPECT_FALSE(lifecycle_.balancer_counters("web")) << "a stopped balancer counts nothing";
}

TEST_F(LifecycleClusterTest, DeletingOneInstanceTakesItOutOfTheBackendFile) {
  lifecycle_.start_cluster(web(3));
  lifecycle_.remove(1);
  EXPECT_EQ(backends(),
            "# pmctl app 'web': 2 instance(s); written by pmctl, read by pmctl-balancer on SIGHUP\n"
            "tcp:127.0.0.1:20000\ntcp:127.0.0.1:20002\n");
  EXPECT_EQ(manager_.calls.back(), "kill pmctl-web-lb.service " + std::to_string(SIGHUP));
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
}

TEST_F(LifecycleClusterTest, DeletingTheLastInstanceRemovesTheBalancerAndItsFiles) {
  lifecycle_.start_cluster(web(2));
  lifecycle_.remove(0);
  lifecycle_.remove(1);
  EXPECT_TRUE(manager_.units.empty());
  EXPECT_FALSE(fs::exists(dir_ / "run/apps/web"));
  EXPECT_TRUE(registry_.load().apps.empty());
}

TEST_F(LifecycleClusterTest, RegistersWithoutStartingWhenAutostartIsOff) {
  AppDecl d = web(2);
  d.autostart = false;
  lifecycle_.start_cluster(d);
  EXPECT_EQ(registry_.load().apps.size(), 2u);
  EXPECT_TRUE(manager_.units.empty());
}

TEST_F(LifecycleClusterTest, RedeclaresAClusterAppAndScalesItToTheFilesInstances) {
  lifecycle_.start_cluster(web(2));
  AppDecl d = web(2);
  d.cluster.public_port = 3005;
  EXPECT_EQ(lifecycle_.redeclare_cluster("web", d), "restarted");
  EXPECT_EQ(registry_.load().find(1)->decl.cluster.public_port, 3005);
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
  d.cluster.instances = 3;
  EXPECT_EQ(lifecycle_.redeclare_cluster("web", d, true), "scaled 2->3, reloaded");
  EXPECT_EQ(registry_.load().ids(), (std::vector<int>{0, 1, 2}));
  d.cluster.instances = 1;
  EXPECT_EQ(lifecycle_.redeclare_cluster("web", d), "scaled 3->1, restarted");
  EXPECT_EQ(registry_.load().ids(), (std::vector<int>{2}));  // PM2: the lowest pm_ids go
  // A pool cannot become instances behind a port, nor the other way round.
  EXPECT_THROW(lifecycle_.redeclare_cluster("web", pool(web(2))), Error);
  AppDecl solo = pool(web(1));
  solo.cluster = {};
  solo.name = "solo";
  lifecycle_.start_new(solo, false);
  EXPECT_THROW(lifecycle_.redeclare_cluster("solo", web(2)), Error);
  EXPECT_EQ(registry_.load().ids_named("solo").size(), 1u);
  AppDecl solo_pool = pool(web(2));
  solo_pool.name = "solo";
  EXPECT_EQ(lifecycle_.redeclare_cluster("solo", solo_pool), "scaled 1->2, restarted");
}

/// The calls among `calls` that name one of `units`, in order.
std::vector<std::string> only(const std::vector<std::string>& calls,
                              const std::set<std::string>& units) {
  std::vector<std::string> out;
  for (const auto& call : calls)
    for (const auto& unit : units)
      if (call.find(unit) != std::string::npos) out.push_back(call);
  return out;
}

TEST_F(LifecycleClusterTest, ReloadStartsTheReplacementFirstThenDrainsAndStopsTheOldOne) {
  lifecycle_.start_cluster(web(2));
  manager_.calls.clear();
  lifecycle_.reload(0);
  const std::string hup = "kill pmctl-web-lb.service " + std::to_string(SIGHUP);
  EXPECT_EQ(only(manager_.calls, {"pmctl-web-0", "pmctl-web-lb.service"}),
            (std::vector<std::string>{"start_transient pmctl-web-0-b.service", hup,
                                      "stop pmctl-web-0.service",
                                      "reset_failed pmctl-web-0.service", hup}));
  const auto data = registry_.load();
  EXPECT_EQ(data.find(0)->slot, Slot::B);
  EXPECT_EQ(data.find(0)->endpoint, "tcp:127.0.0.1:20002");  // a new port while both ran
  EXPECT_EQ(data.find(0)->instance, 0);
  EXPECT_EQ(data.find(0)->restarts, 1u);
  EXPECT_EQ(backends(),
            "# pmctl app 'web': 2 instance(s); written by pmctl, read by pmctl-balancer on SIGHUP\n"
            "tcp:127.0.0.1:20002\ntcp:127.0.0.1:20001\n");
  EXPECT_THAT(read(registry_.env_file(0)), ::testing::HasSubstr("PORT='20002'"));
  // The next reload goes back to the first unit name and takes the freed port again.
  lifecycle_.reload(0);
  EXPECT_EQ(registry_.load().find(0)->slot, Slot::A);
  EXPECT_EQ(registry_.load().find(0)->endpoint, "tcp:127.0.0.1:20000");
  EXPECT_TRUE(loaded("pmctl-web-0.service"));
  EXPECT_FALSE(loaded("pmctl-web-0-b.service"));
}

TEST_F(LifecycleClusterTest, AReplacementThatNeverGetsReadyIsRemovedAndTheOldOneKeepsServing) {
  lifecycle_.start_cluster(web(2));
  never_ready_.insert("tcp:127.0.0.1:20002");
  const std::string before = backends();
  manager_.calls.clear();
  try {
    lifecycle_.reload(1);
    FAIL() << "a replacement that is never ready must abort the reload";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()),
                ::testing::HasSubstr("reload of instance 1 of 'web' (id 1) aborted"))
        << e.what();
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("the old instance keeps serving"))
        << e.what();
  }
  EXPECT_TRUE(loaded("pmctl-web-1.service"));
  EXPECT_FALSE(loaded("pmctl-web-1-b.service"));
  EXPECT_EQ(registry_.load().find(1)->endpoint, "tcp:127.0.0.1:20001");
  EXPECT_EQ(registry_.load().find(1)->slot, Slot::A);
  EXPECT_EQ(backends(), before);
  EXPECT_THAT(read(registry_.env_file(1)), ::testing::HasSubstr("PORT='20001'"));
  for (const auto& call : manager_.calls)
    EXPECT_THAT(call, ::testing::Not(::testing::HasSubstr("kill pmctl-web-lb"))) << call;
}

TEST_F(LifecycleClusterTest, AReplacementLeftRunningByAKilledReloadIsStoppedBeforeTheNewOne) {
  lifecycle_.start_cluster(web(2));
  manager_.units["pmctl-web-0-b.service"] = manager_.running("pmctl-web-0-b.service");
  manager_.calls.clear();
  lifecycle_.reload(0);
  const auto calls = only(manager_.calls, {"pmctl-web-0-b"});
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[0], "stop pmctl-web-0-b.service");
  EXPECT_EQ(calls.back(), "start_transient pmctl-web-0-b.service");
  EXPECT_EQ(registry_.load().find(0)->slot, Slot::B);
}

TEST_F(LifecycleClusterTest, AReplacementWhoseStartFailsAbortsTheReloadToo) {
  lifecycle_.start_cluster(web(2));
  manager_.fail_unit = "pmctl-web-0-b.service";
  EXPECT_THROW(lifecycle_.reload(0), Error);
  EXPECT_TRUE(loaded("pmctl-web-0.service"));
  EXPECT_FALSE(loaded("pmctl-web-0-b.service"));
  EXPECT_EQ(registry_.load().find(0)->slot, Slot::A);
}

TEST_F(LifecycleClusterTest, ASecondReloadOfTheSameAppIsRefusedWhileOneRuns) {
  lifecycle_.start_cluster(web(2));
  lifecycle_.reload(0);  // this Lifecycle now holds web's reload lock, as a running reload does
  test::FakeManager other_manager;
  Lifecycle other(registry_, other_manager, Scope::System, tools());
  try {
    other.reload(1);
    FAIL() << "a concurrent reload must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "a reload of 'web' is already running");
  }
  lifecycle_.reload(1);  // the holder itself goes on
}

TEST_F(LifecycleClusterTest, ReloadOfAForkAppIsARestart) {
  AppDecl d = web(1);
  d.cluster = {};
  d.name = "solo";
  lifecycle_.start_new(d, false);
  lifecycle_.start_new(d, true);  // -f: a second app of that name, not an instance
  try {
    lifecycle_.scale("solo", 3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "'solo' is 2 fork-mode apps started with -f, not instances of one");
  }
  EXPECT_EQ(registry_.load().ids().size(), 2u);
  EXPECT_FALSE(registry_.load().find(0)->decl.cluster.enabled);
}

// PM2 scales a fork app too: its copies run beside it, a pool in fork mode.
TEST_F(LifecycleClusterTest, AForkAppScalesIntoAPoolAndBack) {
  AppDecl d = web(1);
  d.cluster = {};
  d.name = "solo";
  lifecycle_.start_new(d, false);
  EXPECT_EQ(lifecycle_.scale("solo", 3), (std::vector<int>{1, 2}));
  const auto data = registry_.load();
  ASSERT_EQ(data.ids(), (std::vector<int>{0, 1, 2}));
  for (const auto& rec : data.apps) {
    EXPECT_TRUE(rec.decl.cluster.enabled);
    EXPECT_FALSE(rec.decl.cluster.balanced());
    EXPECT_EQ(exec_mode_of(rec.decl), "fork");
    EXPECT_EQ(rec.instance, rec.id);
    EXPECT_EQ(rec.decl.env, d.env);  // the clones have the app's own environment
    EXPECT_TRUE(loaded("pmctl-solo-" + std::to_string(rec.id) + ".service"));
  }
  EXPECT_FALSE(loaded("pmctl-solo-lb.service"));
  EXPECT_EQ(lifecycle_.scale("solo", 1), (std::vector<int>{0, 1}));  // PM2: lowest ids go
  EXPECT_EQ(registry_.load().ids(), (std::vector<int>{2}));
}

TEST_F(LifecycleClusterTest, APoolRunsItsInstancesWithoutAPortOrABalancer) {
  EXPECT_EQ(lifecycle_.start_cluster(pool(web(3))), (std::vector<int>{0, 1, 2}));
  const auto data = registry_.load();
  for (const auto& rec : data.apps) {
    EXPECT_EQ(rec.endpoint, "");
    EXPECT_TRUE(loaded("pmctl-web-" + std::to_string(rec.id) + ".service"));
    const std::string env = read(registry_.env_file(rec.id));
    EXPECT_THAT(env, ::testing::HasSubstr("NODE_APP_INSTANCE='" + std::to_string(rec.id) + "'"));
    EXPECT_THAT(env, ::testing::Not(::testing::HasSubstr("PORT")));
  }
  EXPECT_EQ(exec_mode_of(data.apps[0].decl), "cluster");  // node: PM2 says cluster_mode
  EXPECT_FALSE(loaded("pmctl-web-lb.socket"));
  EXPECT_FALSE(loaded("pmctl-web-lb.service"));
  EXPECT_FALSE(fs::exists(dir_ / "run/apps/web/backends"));
  EXPECT_TRUE(probed_.empty());  // no public port, no private ports
}

// A pool's reload: each replacement starts beside its old instance, which stops only after it.
TEST_F(LifecycleClusterTest, APoolReloadStartsEachReplacementBeforeItsInstanceStops) {
  lifecycle_.start_cluster(pool(web(2)));
  manager_.calls.clear();
  lifecycle_.reload(0);
  const auto calls = only(manager_.calls, {"pmctl-web-0", "pmctl-web-lb"});
  const auto at = [&](const std::string& call) {
    return std::find(calls.begin(), calls.end(), call) - calls.begin();
  };
  ASSERT_LT(at("start_transient pmctl-web-0-b.service"), static_cast<long>(calls.size()));
  EXPECT_LT(at("start_transient pmctl-web-0-b.service"), at("stop pmctl-web-0.service"));
  for (const auto& call : calls) EXPECT_EQ(call.find("-lb"), std::string::npos) << call;
  EXPECT_TRUE(loaded("pmctl-web-0-b.service"));
  EXPECT_FALSE(loaded("pmctl-web-0.service"));
  EXPECT_EQ(registry_.load().find(0)->restarts, 1u);
  // Scale works on it as on any instances.
  EXPECT_EQ(lifecycle_.scale("web", 3), (std::vector<int>{2}));
  EXPECT_EQ(lifecycle_.scale("web", 1), (std::vector<int>{0, 1}));
  EXPECT_FALSE(loaded("pmctl-web-lb.service"));
}

TEST_F(LifecycleClusterTest, ANewInstanceThatNeverGetsReadyUndoesTheScale) {
  lifecycle_.start_cluster(web(2));
  const std::string before = backends();
  never_ready_.insert("tcp:127.0.0.1:20002");
  EXPECT_THROW(lifecycle_.scale("web", 3), Error);
  EXPECT_EQ(registry_.load().ids(), (std::vector<int>{0, 1}));
  EXPECT_FALSE(loaded("pmctl-web-2.service"));
  EXPECT_EQ(backends(), before);
}

}  // namespace
}  // namespace pmctl::core

namespace pmctl::core {
namespace {

class LifecycleSharedTest : public LifecycleClusterTest {
 protected:
  AppDecl shared(int instances = 2) {
    AppDecl d = web(instances);
    d.cluster.lb = LbMode::Shared;
    return d;
  }
  bool installed(const std::string& unit) { return fs::exists(dir_ / "units" / unit); }
  std::string unit_file(const std::string& unit) { return read(dir_ / "units" / unit); }
  std::size_t unit_files() {
    if (!fs::exists(dir_ / "units")) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_ / "units"), {}));
  }
  std::size_t position(const std::string& call) {
    const auto it = std::find(manager_.calls.begin(), manager_.calls.end(), call);
    return static_cast<std::size_t>(it - manager_.calls.begin());
  }
};

TEST_F(LifecycleSharedTest, StartsTheSocketFirstThenInstanceUnitFilesThatNameIt) {
  lifecycle_.start_cluster(shared(2));
  for (const char* unit : {"pmctl-web-lb.socket", "pmctl-web-lb.service", "pmctl-web-0.service",
                           "pmctl-web-1.service"}) {
    EXPECT_TRUE(installed(unit)) << unit;
    EXPECT_TRUE(loaded(unit)) << unit;
  }
  EXPECT_LT(position("start pmctl-web-lb.socket"), position("start pmctl-web-0.service"));
  EXPECT_LT(position("start pmctl-web-lb.socket"), position("start pmctl-web-lb.service"));
  EXPECT_EQ(std::count_if(manager_.calls.begin(), manager_.calls.end(),
                          [](const std::string& c) { return c.starts_with("start_transient"); }),
            0);
  EXPECT_THAT(unit_file("pmctl-web-0.service"),
              ::testing::HasSubstr("\nSockets=pmctl-web-lb.socket\n"));
  EXPECT_THAT(unit_file("pmctl-web-lb.socket"),
              ::testing::HasSubstr("\nListenStream=0.0.0.0:3000\n"));
  EXPECT_THAT(unit_file("pmctl-web-lb.socket"),
              ::testing::HasSubstr("\nService=pmctl-web-lb.service\n"));
  EXPECT_THAT(unit_file("pmctl-web-lb.service"),
              ::testing::Not(::testing::HasSubstr("pmctl-balancer")));
  // No private endpoints and no backend file: the instances share the public socket.
  for (const auto& app : registry_.load().apps) EXPECT_EQ(app.endpoint, "") << app.id;
  EXPECT_FALSE(fs::exists(dir_ / "run/apps/web/backends"));
  EXPECT_THAT(read(registry_.env_file(1)), ::testing::HasSubstr("PORT='3000'"));
  EXPECT_THAT(read(registry_.env_file(1)), ::testing::HasSubstr("NODE_APP_INSTANCE='1'"));
}

TEST_F(LifecycleSharedTest, DeletingEveryInstanceRemovesEveryUnitFileAndReloadsTheManager) {
  lifecycle_.start_cluster(shared(2));
  lifecycle_.remove(0);
  EXPECT_FALSE(installed("pmctl-web-0.service"));
  EXPECT_TRUE(installed("pmctl-web-lb.socket"));
  lifecycle_.remove(1);
  EXPECT_EQ(unit_files(), 0u);
  EXPECT_TRUE(manager_.units.empty());
  EXPECT_NE(std::find(manager_.calls.begin(), manager_.calls.end(), "reload_daemon"),
            manager_.calls.end());
}

TEST_F(LifecycleSharedTest, AFailedInstanceLeavesNoUnitFileBehind) {
  manager_.fail_unit = "pmctl-web-1.service";
  EXPECT_THROW(lifecycle_.start_cluster(shared(2)), ManagerError);
  EXPECT_EQ(unit_files(), 0u);
  EXPECT_TRUE(registry_.load().apps.empty());
  for (const auto& [unit, state] : manager_.units) EXPECT_NE(state.active_state, "active") << unit;
}

TEST_F(LifecycleSharedTest, ASocketThatCannotOpenIsExplainedAndNothingIsLeft) {
  manager_.fail_unit = "pmctl-web-lb.socket";
  try {
    lifecycle_.start_cluster(shared(2));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()),
                ::testing::HasSubstr("the public port 3000 of 'web' could not be opened"))
        << e.what();
  }
  EXPECT_EQ(unit_files(), 0u);
  EXPECT_TRUE(registry_.load().apps.empty());
  EXPECT_EQ(std::count(manager_.calls.begin(), manager_.calls.end(), "start pmctl-web-0.service"),
            0);
}

TEST_F(LifecycleSharedTest, ReloadStartsTheReplacementThenStopsAndRemovesTheOldUnitFile) {
  lifecycle_.start_cluster(shared(2));
  manager_.calls.clear();
  lifecycle_.reload(0);
  EXPECT_EQ(only(manager_.calls, {"pmctl-web-0", "pmctl-web-lb"}),
            (std::vector<std::string>{"start pmctl-web-0-b.service", "stop pmctl-web-0.service",
                                      "reset_failed pmctl-web-0.service"}));
  EXPECT_TRUE(installed("pmctl-web-0-b.service"));
  EXPECT_FALSE(installed("pmctl-web-0.service"));
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
  EXPECT_EQ(registry_.load().find(0)->slot, Slot::B);
  EXPECT_EQ(registry_.load().find(0)->endpoint, "");
}

TEST_F(LifecycleSharedTest, AReplacementThatFailsToStartIsRemovedWithItsFile) {
  lifecycle_.start_cluster(shared(2));
  manager_.fail_unit = "pmctl-web-1-b.service";
  EXPECT_THROW(lifecycle_.reload(1), Error);
  EXPECT_TRUE(loaded("pmctl-web-1.service"));
  EXPECT_TRUE(installed("pmctl-web-1.service"));
  EXPECT_FALSE(installed("pmctl-web-1-b.service"));
  EXPECT_EQ(registry_.load().find(1)->slot, Slot::A);
}

TEST_F(LifecycleSharedTest, ScaleAddsInstanceUnitFilesAndRemovesThemAgain) {
  lifecycle_.start_cluster(shared(2));
  lifecycle_.scale("web", 3);
  EXPECT_TRUE(installed("pmctl-web-2.service"));
  EXPECT_TRUE(loaded("pmctl-web-2.service"));
  lifecycle_.scale("web", 1);
  EXPECT_EQ(registry_.load().apps.size(), 1u);
  EXPECT_EQ(unit_files(), 3u);  // the socket, its holder, and the one instance left
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
}

TEST_F(LifecycleSharedTest, StoppingEveryInstanceClosesThePortAndKeepsTheFiles) {
  lifecycle_.start_cluster(shared(2));
  lifecycle_.stop(0);
  lifecycle_.stop(1);
  EXPECT_FALSE(loaded("pmctl-web-lb.socket"));
  EXPECT_EQ(unit_files(), 4u);
  lifecycle_.start(0);
  EXPECT_TRUE(loaded("pmctl-web-lb.socket"));
  EXPECT_TRUE(loaded("pmctl-web-0.service"));
}

TEST_F(LifecycleSharedTest, ARedeclarationCannotSwitchTheMode) {
  lifecycle_.start_cluster(shared(2));
  AppDecl proxy = web(2);
  EXPECT_THROW(lifecycle_.redeclare_cluster("web", proxy, false), Error);
  EXPECT_TRUE(installed("pmctl-web-0.service"));
  EXPECT_EQ(registry_.load().apps.front().decl.cluster.lb, LbMode::Shared);
}

}  // namespace
}  // namespace pmctl::core
