// The same verbs against root's user manager (user@0.service), as `systemctl --user` sees it.
#include <unistd.h>

#include <filesystem>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

const std::vector<std::string> kUserEnv{"XDG_RUNTIME_DIR=/run/user/0"};

class UserManagerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(sh("systemctl start user@0.service").exit_code, 0); }
  void TearDown() override { pmctl({"--user", "delete", "all"}, kUserEnv); }
  Result user(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"--user"};
    argv.insert(argv.end(), args.begin(), args.end());
    return pmctl(argv, kUserEnv);
  }
  nlohmann::json find(const std::string& name) {
    const auto list = nlohmann::json::parse(user({"jlist"}).out);
    for (const auto& a : list)
      if (a["name"] == name) return a;
    return nullptr;
  }
};

TEST_F(UserManagerTest, StartsListsLogsAndStopsInTheUserManager) {
  const std::string name = unique_name("userapp");
  const Result r = user({"start", app_path("server.js"), "--name", name});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto a = find(name);
  ASSERT_FALSE(a.is_null());
  EXPECT_EQ(a["pm2_env"]["status"], "online");
  const std::string unit = a["pm2_env"]["unit"];
  EXPECT_EQ(unit_property(unit, "ActiveState", true), "active");
  EXPECT_EQ(unit_property(unit, "MainPID", true), std::to_string(a["pid"].get<int>()));
  // Not visible to the system manager.
  EXPECT_EQ(unit_property(unit, "LoadState"), "not-found");
  EXPECT_TRUE(eventually([&] {
    return user({"logs", name, "--nostream", "--raw", "--err"}).out.find("server: err") !=
           std::string::npos;
  }));
  ASSERT_EQ(user({"stop", name}).exit_code, 0);
  EXPECT_EQ(find(name)["pm2_env"]["status"], "stopped");
}

TEST_F(UserManagerTest, KeepsItsOwnRegistry) {
  const std::string name = unique_name("useronly");
  ASSERT_EQ(user({"start", app_path("server.js"), "--name", name}).exit_code, 0);
  EXPECT_TRUE(app(name).is_null());  // the system registry does not know it
}

// cron_restart in a user manager: the timer's service runs `pmctl --user restart <name>` there,
// and the ticks restart the app in that manager (docs/usage.md, "Cron restarts").
TEST_F(UserManagerTest, ACronRestartTimerRestartsTheAppInTheUserManager) {
  const std::string name = "usercron" + std::to_string(getpid());
  ASSERT_EQ(
      user({"start", app_path("server.js"), "--name", name, "--cron-restart", "*/2 * * * * *"})
          .exit_code,
      0);
  const std::string service = "pmctl-" + name + "-cron.service";
  EXPECT_NE(unit_property(service, "ExecStart", true).find("--user restart " + name),
            std::string::npos)
      << unit_property(service, "ExecStart", true);
  EXPECT_EQ(unit_property("pmctl-" + name + "-cron.timer", "LoadState"), "not-found");
  const int pid = find(name)["pid"];
  EXPECT_TRUE(eventually([&] {
    const auto a = find(name);
    return !a.is_null() && a["pid"] != pid && a["pid"] != 0 && a["pm2_env"]["restart_time"] >= 1;
  })) << sh("journalctl --no-pager -n 20 --user-unit " + service).out;
  ASSERT_EQ(user({"delete", name}).exit_code, 0);
  EXPECT_EQ(unit_property("pmctl-" + name + "-cron.timer", "LoadState", true), "not-found");
}

// max_memory_restart in a user manager: the guard runs there and restarts the app with
// `pmctl --user` (docs/usage.md, "Memory limits").
TEST_F(UserManagerTest, TheMemoryGuardRestartsTheAppInTheUserManager) {
  const std::string name = "usermem" + std::to_string(getpid());
  const std::string once = "/tmp/" + name + "-once";
  std::filesystem::remove(once);
  std::vector<std::string> env = kUserEnv;
  env.insert(env.end(), {"HOG_MB=120", "HOG_ONCE=" + once});
  ASSERT_EQ(pmctl({"--user", "start", app_path("memory_hog.js"), "--name", name,
                   "--max-memory-restart", "50M"},
                  env)
                .exit_code,
            0);
  const std::string guard = "pmctl-" + name + "-mem.service";
  EXPECT_NE(unit_property(guard, "ExecStart", true).find("--user"), std::string::npos);
  EXPECT_EQ(unit_property(guard, "LoadState"), "not-found");  // not the system manager's
  EXPECT_TRUE(eventually(
      [&] {
        const auto a = find(name);
        return !a.is_null() && a["pm2_env"]["restart_time"] >= 1 &&
               user({"logs", name, "--nostream", "--raw"}).out.find("hog: not holding") !=
                   std::string::npos;
      },
      std::chrono::seconds(15)))
      << sh("journalctl --no-pager -n 20 --user-unit " + guard).out;
  ASSERT_EQ(user({"delete", name}).exit_code, 0);
  EXPECT_EQ(unit_property(guard, "LoadState", true), "not-found");
  std::filesystem::remove(once);
}

TEST_F(UserManagerTest, TheWatcherRestartsTheAppInTheUserManager) {
  const std::string name = "userwatch" + std::to_string(getpid());
  const std::string dir = "/tmp/" + name;
  std::filesystem::create_directories(dir);
  ASSERT_EQ(
      user({"start", app_path("greet.sh"), "--name", name, "--cwd", dir, "--watch"}).exit_code, 0);
  const std::string watcher = "pmctl-" + name + "-watch.service";
  EXPECT_NE(unit_property(watcher, "ExecStart", true).find("--user"), std::string::npos);
  ASSERT_TRUE(eventually([&] {
    return sh("journalctl --no-pager -o cat --user-unit " + watcher).out.find("watching") !=
           std::string::npos;
  }));
  sh("echo x > " + dir + "/index.js");
  EXPECT_TRUE(eventually([&] {
    const auto a = find(name);
    return !a.is_null() && a["pm2_env"]["restart_time"] >= 1 && a["pm2_env"]["status"] == "online";
  })) << sh("journalctl --no-pager -n 20 --user-unit " + watcher).out;
  ASSERT_EQ(user({"delete", name}).exit_code, 0);
  EXPECT_EQ(unit_property(watcher, "LoadState", true), "not-found");
  std::filesystem::remove_all(dir);
}

// pmctl --user metrics: the units go to the user's unit directory, the scrape shows the user
// manager's apps, disable leaves nothing. Port 17689.
TEST_F(UserManagerTest, TheMetricsEndpointServesTheUserManagersApps) {
  const std::string name = "usermetrics" + std::to_string(getpid());
  ASSERT_EQ(user({"start", app_path("greet.sh"), "--name", name}).exit_code, 0);
  const Result on = user({"metrics", "enable", "--port", "17689"});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_EQ(sh("test -f /root/.config/systemd/user/pmctl-metrics.service").exit_code, 0);
  EXPECT_EQ(unit_property("pmctl-metrics.socket", "ActiveState", true), "active");
  const Result scrape =
      sh("curl -sS --max-time 5 http://127.0.0.1:17689/metrics | tee /dev/stderr | "
         "promtool check metrics");
  EXPECT_EQ(scrape.exit_code, 0) << scrape.out << scrape.err;  // promtool passes an empty text
  EXPECT_NE(scrape.err.find("pmctl_up{name=\"" + name + "\""), std::string::npos) << scrape.err;
  ASSERT_EQ(user({"metrics", "disable"}).exit_code, 0);
  EXPECT_NE(sh("test -e /root/.config/systemd/user/pmctl-metrics.socket").exit_code, 0);
  EXPECT_EQ(unit_property("pmctl-metrics.socket", "LoadState", true), "not-found");
  ASSERT_EQ(user({"delete", name}).exit_code, 0);
}

// The dashboard of a user manager acts through `pmctl --user` (its hardened service included).
TEST_F(UserManagerTest, TheWebDashboardActsOnTheUserManagersApps) {
  const std::string name = "userweb" + std::to_string(getpid());
  ASSERT_EQ(user({"start", app_path("greet.sh"), "--name", name}).exit_code, 0);
  const Result on = user({"web", "enable", "--port", "17699"});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_EQ(sh("stat -c %a /root/.local/state/pmctl/web/csrf").out, "600\n");
  const std::string page = sh("curl -sS --max-time 10 http://127.0.0.1:17699/").out;
  const auto at = page.find("name=\"pmctl-csrf\" content=\"");
  ASSERT_NE(at, std::string::npos) << page;
  const std::string csrf = page.substr(at + 27, 32);
  EXPECT_NE(sh("curl -sS --max-time 10 http://127.0.0.1:17699/api/apps").out.find(name),
            std::string::npos);
  const Result restart =
      sh("curl -sS --max-time 60 -w '\\n%{http_code}' -X POST -H 'X-Pmctl-Csrf: " + csrf +
         "' --data '{\"action\":\"restart\",\"target\":\"" + name +
         "\"}' http://127.0.0.1:17699/api/action");
  EXPECT_EQ(restart.out.substr(restart.out.rfind('\n') + 1), "200") << restart.out;
  EXPECT_EQ(app(name, {"--user"})["pm2_env"]["restart_time"], 1);
  ASSERT_EQ(user({"web", "disable"}).exit_code, 0);
  EXPECT_NE(sh("test -e /root/.config/systemd/user/pmctl-web.socket").exit_code, 0);
  ASSERT_EQ(user({"delete", name}).exit_code, 0);
}

}  // namespace
}  // namespace pmctl::test
