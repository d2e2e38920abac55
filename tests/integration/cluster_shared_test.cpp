// Cluster mode's shared mode (`--lb shared`) against the sandbox's systemd 252: no balancer
// process, every instance inherits the public port's socket from a generated socket unit
// (Sockets=), and the kernel spreads the accept()s. Reload and scale keep the port open;
// stop and delete leave no unit file behind.
// Public ports are in 17159-17169: below the ephemeral range (32768-60999).
#include <gmock/gmock.h>
#include <unistd.h>

#include <future>
#include <iostream>
#include <set>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using nlohmann::json;

const std::string kUnitDir = "/run/systemd/system/";

class ClusterSharedTest : public ClusterFixture {
 protected:
  void start_shared(const std::string& name, int instances, int port,
                    const std::string& app = "http_keepalive.js") {
    start_cluster_app(app, name, instances, port, {"--lb", "shared"});
  }

  /// The kernel, not a round-robin, picks who accepts: ask more often than proxy mode's tests.
  std::set<std::string> answering(int port) { return ClusterFixture::answering(port, 24); }

  /// The pmctl unit files of app `name` in the runtime unit directory.
  std::string unit_files(const std::string& name) {
    return sh("cd " + kUnitDir + " && ls pmctl-" + name + "-* 2>/dev/null | sort").out;
  }

  /// The pids that hold a listening socket on `port` (ss's users:(...) list).
  std::set<std::string> listeners(int port) {
    const std::string out = sh("ss -Hltnp 'sport = :" + std::to_string(port) + "'").out;
    std::set<std::string> pids;
    for (std::size_t at = out.find("pid="); at != std::string::npos; at = out.find("pid=", at + 4))
      pids.insert(out.substr(at + 4, out.find(',', at) - at - 4));
    return pids;
  }
};

TEST_F(ClusterSharedTest, EveryInstanceAcceptsOnTheOneSocketSystemdHolds) {
  const int port = 17160;
  start_shared("shweb", 2, port);
  EXPECT_EQ(answering(port), (std::set<std::string>{"instance=0", "instance=1"}));
  const auto list = rows("shweb");
  ASSERT_EQ(list.size(), 2u);
  // One listening socket, held by systemd (the socket unit) and both instances: no proxy.
  const auto pids = listeners(port);
  EXPECT_EQ(pids.count("1"), 1u) << sh("ss -Hltnp 'sport = :" + std::to_string(port) + "'").out;
  for (const auto& row : list) {
    EXPECT_EQ(row["pm2_env"]["status"], "online");
    EXPECT_EQ(row["pm2_env"]["pm_endpoint"], "");
    EXPECT_EQ(pids.count(std::to_string(row["pid"].get<int>())), 1u) << row["pid"];
    const std::string unit = row["pm2_env"]["unit"];
    EXPECT_EQ(unit_property(unit, "FragmentPath"), kUnitDir + unit);
    EXPECT_THAT(read_file(kUnitDir + unit),
                ::testing::HasSubstr("\nSockets=" + lb("shweb", ".socket") + "\n"));
    EXPECT_EQ(unit_property(unit, "Slice"), "pmctl-shweb.slice");
  }
  EXPECT_EQ(unit_property(lb("shweb", ".socket"), "ActiveState"), "active");
  EXPECT_EQ(unit_property(lb("shweb", ".socket"), "Listen"),
            "0.0.0.0:" + std::to_string(port) + " (Stream)");
  EXPECT_EQ(unit_property(lb("shweb", ".service"), "SubState"),
            "exited");  // the holder runs nothing
  EXPECT_EQ(sh("pgrep -x pmctl-balancer").out, "");
  EXPECT_NE(sh("test -e /run/pmctl/apps/shweb/backends").exit_code, 0);
  // The generated files pass systemd's own checks.
  const Result verify = sh("systemd-analyze verify " + kUnitDir + lb("shweb", ".socket") + " " +
                           kUnitDir + "pmctl-shweb-0.service 2>&1");
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  const std::string env0 = pmctl({"env", "0"}).out;
  EXPECT_THAT("\n" + env0, ::testing::HasSubstr("\nPORT: " + std::to_string(port) + "\n")) << env0;
  const Result show = pmctl({"show", "shweb"});
  EXPECT_THAT(show.out, ::testing::HasSubstr("shared: every instance accepts on the public socket"))
      << show.out;
  EXPECT_THAT(show.out, ::testing::Not(::testing::HasSubstr("/run/pmctl/apps/shweb/backends")))
      << show.out;
}

TEST_F(ClusterSharedTest, AnyLanguageThatTakesTheInheritedSocketWorks) {
  // A python server that uses LISTEN_FDS, as systemd documents (sd_listen_fds): fd 3.
  const int port = 17161;
  const std::string dir = "/run/" + unique_name("py");
  sh("mkdir -p " + dir);
  const std::string script = dir + "/fdserver.py";
  sh("cat > " + script +
     " <<'EOF'\n"
     "import os, socket, http.server\n"
     "assert os.environ['LISTEN_FDS'] == '1' and int(os.environ['LISTEN_PID']) == os.getpid()\n"
     "who = 'instance=' + os.environ['NODE_APP_INSTANCE']\n"
     "class H(http.server.BaseHTTPRequestHandler):\n"
     "    def do_GET(self):\n"
     "        body = (who + ' lang=python\\n').encode()\n"
     "        self.send_response(200); self.send_header('Content-Length', str(len(body)))\n"
     "        self.send_header('Connection', 'close'); self.end_headers(); self.wfile.write(body)\n"
     "    def log_message(self, *a): pass\n"
     "class S(http.server.HTTPServer):\n"
     "    def server_bind(self): pass\n"
     "    def server_activate(self): pass\n"
     "s = S(('', 0), H, bind_and_activate=False)\n"
     "s.socket = socket.socket(fileno=3)\n"
     "print('serving on the inherited socket', flush=True)\n"
     "s.serve_forever()\n"
     "EOF");
  const Result r = pmctl({"start", script, "--name", "shpy", "-i", "2", "--port",
                          std::to_string(port), "--lb", "shared"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }))
      << pmctl({"logs", "shpy", "--nostream"}).out;
  sh("rm -rf " + dir);
}

TEST_F(ClusterSharedTest, TwoReloadsFailNoRequestOfOneConnectionEach) {
  const int port = 17162;
  start_shared("shrlc", 2, port);
  const auto before = rows("shrlc");
  auto loop =
      std::async(std::launch::async, [port] { return client_loop("http_client.py", port, 7.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  for (int i = 0; i < 2; ++i) {
    const Result r = pmctl({"reload", "shrlc"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "http_client.py across two shared-mode reloads: " << summary.dump() << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  EXPECT_GT(summary["ok"].get<int>(), 50) << summary.dump();
  const auto after = rows("shrlc");
  ASSERT_EQ(after.size(), 2u);
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i]["pm_id"], before[i]["pm_id"]);
    EXPECT_NE(after[i]["pid"], before[i]["pid"]);
    EXPECT_EQ(after[i]["pm2_env"]["status"], "online");
  }
  // Two reloads: back on the first unit names, and the replacements' files are gone.
  EXPECT_EQ(unit_files("shrlc"),
            "pmctl-shrlc-0.service\npmctl-shrlc-1.service\npmctl-shrlc-lb.service\npmctl-shrlc-lb."
            "socket\n");
}

TEST_F(ClusterSharedTest, TwoReloadsFailNoRequestOfAKeptAliveClient) {
  const int port = 17163;
  start_shared("shrlk", 2, port);
  auto loop = std::async(std::launch::async,
                         [port] { return client_loop("http_keepalive_client.py", port, 7.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  for (int i = 0; i < 2; ++i) {
    const Result r = pmctl({"reload", "shrlk"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "http_keepalive_client.py across two shared-mode reloads: " << summary.dump()
            << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  EXPECT_GT(summary["ok"].get<int>(), 50) << summary.dump();
}

// The same app without `Connection: close` of its own: in shared mode the node preload makes the
// closing server end each kept-alive connection after its next answer, so the client sees
// orderly closes only ("retried" 0: no request ever failed on a reused connection).
TEST_F(ClusterSharedTest, TwoReloadsOfAnAppThatClosesIdleConnectionsFailNothingEvenUnretried) {
  const int port = 17159;
  start_shared("shgrace", 2, port, "http_graceful.js");
  auto loop = std::async(std::launch::async,
                         [port] { return client_loop("http_keepalive_client.py", port, 6.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  for (int i = 0; i < 2; ++i) {
    const Result r = pmctl({"reload", "shgrace"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "kept-alive client across two shared-mode reloads of http_graceful.js: "
            << summary.dump() << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  EXPECT_EQ(summary["retried"], 0) << summary.dump();
  EXPECT_GT(summary["ok"].get<int>(), 50) << summary.dump();
}

TEST_F(ClusterSharedTest, ScaleUpAndDownUnderAClientLoopFailsNoRequest) {
  const int port = 17164;
  start_shared("shscale", 2, port);
  auto loop =
      std::async(std::launch::async, [port] { return client_loop("http_client.py", port, 6.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  Result r = pmctl({"scale", "shscale", "+1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(rows("shscale").size(), 3u);
  EXPECT_EQ(sh("test -f " + kUnitDir + "pmctl-shscale-2.service").exit_code, 0);
  r = pmctl({"scale", "shscale", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "client loop across shared-mode scale +1, 1: " << summary.dump() << "\n";
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  EXPECT_EQ(answering(port), (std::set<std::string>{"instance=2"}));
  EXPECT_EQ(unit_files("shscale"),
            "pmctl-shscale-2.service\npmctl-shscale-lb.service\npmctl-shscale-lb.socket\n");
}

TEST_F(ClusterSharedTest, AKilledInstanceCostsNoNewClientConnection) {
  const int port = 17165;
  start_shared("shkill", 2, port, "http_instance.js");
  auto loop =
      std::async(std::launch::async, [port] { return client_loop("http_client.py", port, 4.0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const int victim = rows("shkill").at(1)["pid"];
  ASSERT_EQ(sh("kill -9 " + std::to_string(victim)).exit_code, 0);
  const json summary = loop.get();
  ASSERT_TRUE(summary.is_object());
  std::cout << "client loop across kill -9 of one shared-mode instance: " << summary.dump() << "\n";
  // The socket's queue belongs to the socket, not to the instance: only a connection the killed
  // instance had already accepted can break.
  EXPECT_LE(summary["failed"].get<int>(), 1) << summary.dump();
  EXPECT_TRUE(eventually([&] { return answering(port).count("instance=1") == 1; }));
}

TEST_F(ClusterSharedTest, StopClosesThePortAndDeleteLeavesNoUnitFile) {
  const int port = 17166;
  start_shared("shstop", 2, port);
  ASSERT_EQ(pmctl({"stop", "shstop"}).exit_code, 0);
  EXPECT_EQ(unit_property(lb("shstop", ".socket"), "ActiveState"), "inactive");
  EXPECT_EQ(ask(port), "");
  EXPECT_EQ(unit_files("shstop"),
            "pmctl-shstop-0.service\npmctl-shstop-1.service\npmctl-shstop-lb.service\npmctl-shstop-"
            "lb.socket\n");
  ASSERT_EQ(pmctl({"start", "shstop"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  ASSERT_EQ(pmctl({"delete", "shstop"}).exit_code, 0);
  EXPECT_EQ(unit_files("shstop"), "");
  for (const std::string& unit :
       {std::string("pmctl-shstop-0.service"), lb("shstop", ".socket"), lb("shstop", ".service")})
    EXPECT_TRUE(eventually([&] { return unit_property(unit, "LoadState") == "not-found"; }))
        << unit;
  EXPECT_EQ(ask(port), "");
}

TEST_F(ClusterSharedTest, AnEcosystemFileAsksForSharedModeWithLb) {
  const int port = 17167;
  const std::string dir = "/run/" + unique_name("eco");
  sh("mkdir -p " + dir);
  const std::string file = dir + "/shared.config.js";
  sh("printf '%s' \"module.exports = { apps: [{ name: 'sheco', script: '" +
     app_path("http_keepalive.js") + "', instances: 2, exec_mode: 'cluster', lb: 'shared', port: " +
     std::to_string(port) + " }] }\" > " + file);
  const Result r = pmctl({"start", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  ASSERT_EQ(rows("sheco").size(), 2u);
  const std::string unit = rows("sheco").at(0)["pm2_env"]["unit"];
  EXPECT_THAT(read_file(kUnitDir + unit),
              ::testing::HasSubstr("\nSockets=" + lb("sheco", ".socket") + "\n"));
  ASSERT_EQ(pmctl({"delete", file}).exit_code, 0);
  EXPECT_EQ(unit_files("sheco"), "");
  sh("rm -rf " + dir);
}

TEST_F(ClusterSharedTest, RunsUnderAUserManagerWithFilesInItsRuntimeDirectory) {
  ASSERT_EQ(sh("systemctl start user@0.service").exit_code, 0);
  const std::vector<std::string> env{"XDG_RUNTIME_DIR=/run/user/0"};
  const int port = 17168;
  const Result r = pmctl({"--user", "start", app_path("http_keepalive.js"), "--name", "shuser",
                          "-i", "2", "--port", std::to_string(port), "--lb", "shared"},
                         env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return answering(port).size() == 2; }));
  EXPECT_EQ(sh("test -f /run/user/0/systemd/user/pmctl-shuser-lb.socket").exit_code, 0);
  ASSERT_EQ(pmctl({"--user", "delete", "shuser"}, env).exit_code, 0);
  EXPECT_EQ(sh("ls /run/user/0/systemd/user/ 2>/dev/null | grep shuser").out, "");
  EXPECT_EQ(ask(port), "");
}

TEST_F(ClusterSharedTest, BadInputIsRefusedAndChangesNothing) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--lb", "reuseport"}, "the load balancing mode must be proxy or shared, got 'reuseport'"},
      {{"--lb", "shared", "--instance-endpoint", "unix"}, "shared mode has no private endpoints"},
  };
  for (const auto& [flags, text] : cases) {
    std::vector<std::string> args{
        "start", app_path("http_keepalive.js"), "--name", "shbad", "-i", "2", "--port", "17169"};
    args.insert(args.end(), flags.begin(), flags.end());
    const Result r = pmctl(args);
    EXPECT_NE(r.exit_code, 0) << flags.at(1);
    EXPECT_THAT(r.err, ::testing::HasSubstr(text)) << r.err;
    EXPECT_THAT(r.err, ::testing::StartsWith("pmctl: error: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // --lb without cluster mode.
  const Result fork =
      pmctl({"start", app_path("http_keepalive.js"), "--name", "shbad", "--lb", "shared"});
  EXPECT_NE(fork.exit_code, 0);
  // A port in use: nothing is created, no unit file is left.
  // The holder keeps the port until the test says so (at most 60 s): a loaded machine may take
  // seconds to start it, and it must not let go before pmctl tried.
  const std::string done = "/tmp/pmctl-shbad-holder-" + std::to_string(getpid());
  const std::string holder =
      "python3 -c 'import os,socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, "
      "socket.SO_REUSEADDR, 1); s.bind((\"0.0.0.0\", 17169)); s.listen(); t=time.time()\n"
      "while not os.path.exists(\"" +
      done + "\") and time.time() - t < 60: time.sleep(0.05)'";
  auto busy = std::async(std::launch::async, [&] { return sh(holder); });
  EXPECT_TRUE(eventually([&] { return !listeners(17169).empty(); }, std::chrono::seconds(30)));
  const Result in_use = pmctl({"start", app_path("http_keepalive.js"), "--name", "shbad", "-i", "2",
                               "--port", "17169", "--lb", "shared"});
  EXPECT_NE(in_use.exit_code, 0);
  EXPECT_THAT(in_use.err, ::testing::HasSubstr("port 17169 is already in use")) << in_use.err;
  sh("touch " + done);
  busy.get();
  sh("rm -f " + done);
  EXPECT_TRUE(rows("shbad").empty());
  EXPECT_EQ(unit_files("shbad"), "");
}

}  // namespace
}  // namespace pmctl::test
