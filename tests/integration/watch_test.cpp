// watch against the sandbox's systemd: the app's watcher (pmctl-watch as
// pmctl-<name>-watch.service, in the app's slice) restarts a fork app and reloads a pool when a
// file under the watched paths changes, ignores node_modules and dotfiles (or what ignore_watch
// names), gathers changes over watch_delay, watches directories made after it started; stop
// ends watching, restart --watch toggles it, delete removes it, a daemon-reload keeps it. And
// `pmctl dev`, PM2's pm2-dev. No ports.
#include <gmock/gmock.h>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string watcher_of(const std::string& name) { return "pmctl-" + name + "-watch.service"; }
int pid_of(const std::string& name) { return app(name)["pid"]; }
int restarts_of(const std::string& name) { return app(name)["pm2_env"]["restart_time"]; }

class WatchTest : public ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    dir_ = "/tmp/" + unique_name("watchdir");
    ASSERT_EQ(sh("mkdir -p " + dir_).exit_code, 0);
  }
  void TearDown() override {
    ClusterFixture::TearDown();
    sh("rm -rf " + dir_);
  }
  /// Writes `text` to `file` under the watched directory (its folders made first).
  void write(const std::string& file, const std::string& text = "x") {
    sh("mkdir -p \"$(dirname " + dir_ + "/" + file + ")\" && echo " + text + " > " + dir_ + "/" +
       file);
  }
  /// Waits for the app's pid to differ from `pid` and the app to be online again.
  bool restarted(const std::string& name, int pid) {
    return eventually([&] { return status_of(name) == "online" && pid_of(name) != pid; });
  }
  /// The app keeps `pid` for 1.5 s (the watcher is given time to act, and does not).
  bool kept(const std::string& name, int pid) {
    return !eventually([&] { return pid_of(name) != pid; }, std::chrono::milliseconds(1500));
  }
  std::string watcher_log(const std::string& name) {
    return sh("journalctl --no-pager -o cat -u " + watcher_of(name)).out;
  }
  void start_watched(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{app_path("server.js"), "--name", name, "--cwd", dir_, "--watch"};
    args.insert(args.end(), extra.begin(), extra.end());
    start(args);
    ASSERT_TRUE(eventually([&] {
      return unit_property(watcher_of(name), "ActiveState") == "active" &&
             watcher_log(name).find("watching") != std::string::npos;
    })) << watcher_log(name);
  }

  std::string dir_;
};

TEST_F(WatchTest, AChangeUnderTheCwdRestartsTheAppAndLsSaysWatching) {
  start_watched("wfork");
  EXPECT_EQ(unit_property(watcher_of("wfork"), "Slice"), "pmctl-wfork.slice");
  EXPECT_THAT(unit_property(watcher_of("wfork"), "ExecStart"),
              HasSubstr("--name wfork --action restart --path " + dir_));
  EXPECT_THAT(pmctl({"ls"}).out, HasSubstr("enabled"));
  const std::string show = pmctl({"show", "wfork"}).out;
  EXPECT_EQ(show_cell(show, "watch"), dir_);
  EXPECT_EQ(show_cell(show, "ignore watch"), "dotfiles and node_modules (PM2's default)");
  EXPECT_THAT(show_cell(show, "watcher"), HasSubstr(watcher_of("wfork") + ": active"));
  EXPECT_EQ(app("wfork")["pm2_env"]["watch"], true);

  int pid = pid_of("wfork");
  write("index.js");
  ASSERT_TRUE(restarted("wfork", pid)) << watcher_log("wfork");
  EXPECT_EQ(restarts_of("wfork"), 1);
  EXPECT_THAT(watcher_log("wfork"), HasSubstr("change in index.js"));

  // PM2's default ignores: node_modules and dotfiles (.git) change nothing.
  pid = pid_of("wfork");
  write("node_modules/lib/a.js");
  write(".git/HEAD");
  EXPECT_TRUE(kept("wfork", pid)) << watcher_log("wfork");

  // A directory made after the watcher started is watched, down to its new subdirectories.
  sh("mkdir -p " + dir_ + "/src/deep");
  ASSERT_TRUE(eventually([&] { return status_of("wfork") == "online"; }));
  ASSERT_TRUE(eventually([&] { return restarts_of("wfork") >= 2; }));
  pid = pid_of("wfork");
  EXPECT_TRUE(kept("wfork", pid));  // quiet again
  write("src/deep/b.js");
  EXPECT_TRUE(restarted("wfork", pid)) << watcher_log("wfork");
}

TEST_F(WatchTest, IgnoreWatchAndWatchDelayAsPm2sFlags) {
  start_watched("wflags", {"--ignore-watch", "logs *.tmp", "--watch-delay", "1"});
  EXPECT_THAT(unit_property(watcher_of("wflags"), "ExecStart"),
              HasSubstr("--ignore logs --ignore *.tmp --delay-ms 1000"));
  int pid = pid_of("wflags");
  write("logs/out.log");
  write("scratch.tmp");
  EXPECT_TRUE(kept("wflags", pid)) << watcher_log("wflags");
  // With the default ignores replaced, a dotfile counts (as in PM2).
  const auto before = std::chrono::steady_clock::now();
  write(".env");
  ASSERT_TRUE(restarted("wflags", pid)) << watcher_log("wflags");
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(900))
      << "restarted before watch_delay had passed";
  EXPECT_EQ(app("wflags")["pm2_env"]["watch_delay"], 1000);
}

TEST_F(WatchTest, WatchPathsLimitWhatCounts) {
  sh("mkdir -p " + dir_ + "/src");
  start({app_path("server.js"), "--name", "wpaths", "--cwd", dir_, "--watch", "src"});
  ASSERT_TRUE(
      eventually([&] { return watcher_log("wpaths").find("watching") != std::string::npos; }));
  EXPECT_EQ(app("wpaths")["pm2_env"]["watch"], nlohmann::json::array({dir_ + "/src"}));
  int pid = pid_of("wpaths");
  write("README.md");
  EXPECT_TRUE(kept("wpaths", pid));
  write("src/app.js");
  EXPECT_TRUE(restarted("wpaths", pid)) << watcher_log("wpaths");
}

TEST_F(WatchTest, APoolIsReloadedInstanceByInstance) {
  start({app_path("server.js"), "--name", "wpool", "--cwd", dir_, "-i", "2", "--watch"});
  ASSERT_TRUE(
      eventually([&] { return watcher_log("wpool").find("watching") != std::string::npos; }));
  EXPECT_THAT(unit_property(watcher_of("wpool"), "ExecStart"), HasSubstr("--action reload"));
  const std::set<int> before = pids("wpool");
  write("job.js");
  EXPECT_TRUE(all_replaced("wpool", before, 2)) << watcher_log("wpool");
  EXPECT_THAT(watcher_log("wpool"), HasSubstr("reload wpool"));
}

TEST_F(WatchTest, StopEndsWatchingRestartWatchTogglesDeleteRemovesTheWatcher) {
  start_watched("wstop");
  ASSERT_EQ(pmctl({"stop", "wstop"}).exit_code, 0);
  EXPECT_EQ(unit_property(watcher_of("wstop"), "ActiveState"), "inactive");
  EXPECT_THAT(pmctl({"ls"}).out, Not(HasSubstr("enabled")));
  write("a.js");
  EXPECT_FALSE(
      eventually([] { return status_of("wstop") == "online"; }, std::chrono::milliseconds(1500)))
      << "a stopped app does not watch (PM2's stop ends watching)";

  // The declaration keeps watch: a restart watches again.
  ASSERT_EQ(pmctl({"restart", "wstop"}).exit_code, 0);
  EXPECT_EQ(unit_property(watcher_of("wstop"), "ActiveState"), "active");
  // PM2's restart --watch toggles it: off, then on.
  ASSERT_EQ(pmctl({"restart", "wstop", "--watch"}).exit_code, 0);
  EXPECT_EQ(unit_property(watcher_of("wstop"), "LoadState"), "not-found");
  EXPECT_EQ(app("wstop")["pm2_env"]["watch"], false);
  ASSERT_EQ(pmctl({"restart", "wstop", "--watch"}).exit_code, 0);
  EXPECT_EQ(unit_property(watcher_of("wstop"), "ActiveState"), "active");

  ASSERT_EQ(pmctl({"delete", "wstop"}).exit_code, 0);
  EXPECT_EQ(unit_property(watcher_of("wstop"), "LoadState"), "not-found");
  EXPECT_NE(sh("test -e /run/systemd/system/" + watcher_of("wstop") + ".d").exit_code, 0);
  EXPECT_NE(sh("test -e /run/pmctl/companions/" + watcher_of("wstop")).exit_code, 0);
}

TEST_F(WatchTest, EcosystemFieldsAndSymlinks) {
  sh("mkdir -p " + dir_ + "/app " + dir_ + "/shared && ln -s " + dir_ + "/shared " + dir_ +
     "/app/lib");
  const std::string eco = dir_ + "/eco.json";
  const auto file = [&](const std::string& name, bool follow) {
    sh("printf '%s' '{\"apps\":[{\"name\":\"" + name + "\",\"script\":\"" + app_path("server.js") +
       "\",\"cwd\":\"" + dir_ + "/app\",\"watch\":[\".\"],\"ignore_watch\":[\"*.log\"]," +
       "\"watch_delay\":100,\"watch_options\":{\"followSymlinks\":" + (follow ? "true" : "false") +
       "}}]}' > " + eco);
  };
  file("wfollow", true);
  ASSERT_EQ(pmctl({"start", eco}).exit_code, 0);
  ASSERT_TRUE(
      eventually([&] { return watcher_log("wfollow").find("watching") != std::string::npos; }));
  int pid = pid_of("wfollow");
  write("app/x.log");
  EXPECT_TRUE(kept("wfollow", pid));
  write("shared/util.js");  // through the symlink app/lib
  EXPECT_TRUE(restarted("wfollow", pid)) << watcher_log("wfollow");
  ASSERT_EQ(pmctl({"delete", "wfollow"}).exit_code, 0);

  file("wnofollow", false);
  ASSERT_EQ(pmctl({"start", eco}).exit_code, 0);
  ASSERT_TRUE(
      eventually([&] { return watcher_log("wnofollow").find("watching") != std::string::npos; }));
  EXPECT_THAT(unit_property(watcher_of("wnofollow"), "ExecStart"),
              Not(HasSubstr("--follow-symlinks")));
  pid = pid_of("wnofollow");
  write("shared/util.js");
  EXPECT_TRUE(kept("wnofollow", pid)) << watcher_log("wnofollow");
  ASSERT_EQ(pmctl({"delete", "wnofollow"}).exit_code, 0);

  // A chokidar option pmctl has not is refused, and nothing is made.
  sh("printf '%s' '{\"apps\":[{\"name\":\"wbad\",\"script\":\"" + app_path("server.js") +
     "\",\"watch\":true,\"watch_options\":{\"usePolling\":true}}]}' > " + eco);
  const Result bad = pmctl({"start", eco});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("field 'watch_options': 'usePolling' is a chokidar option"));
  EXPECT_TRUE(app("wbad").is_null());
  EXPECT_EQ(unit_property(watcher_of("wbad"), "LoadState"), "not-found");
}

TEST_F(WatchTest, FlagsWithoutWatchAndBadDelaysAreRefused) {
  Result r = pmctl({"start", app_path("server.js"), "--name", "wrefuse", "--watch-delay", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--watch-delay: only matters with --watch"));
  r = pmctl({"start", app_path("server.js"), "--name", "wrefuse", "--watch", "--watch-delay", "x"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--watch-delay"));
  EXPECT_TRUE(jlist().empty());
  // A watch path that is not there is a warning (PM2 waits for it; pmctl-watch does not).
  r = pmctl({"start", app_path("server.js"), "--name", "wmissing", "--watch", "/tmp/no/such/dir"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("watch path '/tmp/no/such/dir' of 'wmissing' does not exist"));
}

TEST_F(WatchTest, ADaemonReloadKeepsTheWatcherAndItStillActs) {
  start_watched("wreload");
  ASSERT_EQ(sh("systemctl daemon-reload").exit_code, 0);
  EXPECT_EQ(unit_property(watcher_of("wreload"), "ActiveState"), "active");
  EXPECT_EQ(unit_property(watcher_of("wreload"), "NeedDaemonReload"), "no");
  const int pid = pid_of("wreload");
  write("a.js");
  EXPECT_TRUE(restarted("wreload", pid)) << watcher_log("wreload");
}

// pm2-dev: in the foreground with timestamped output; a change restarts the app; Ctrl-C stops
// and deletes it; an app that exits by itself ends the session with its exit code.
TEST_F(WatchTest, DevRunsInTheForegroundAndDeletesTheAppWhenItEnds) {
  const std::string out = dir_ + "/.dev.out", rc = dir_ + "/.dev.rc", pidfile = dir_ + "/.dev.pid";
  sh("cd " + dir_ + " && (" + std::string(PMCTL_BINARY) + " dev " + app_path("server.js") +
     " --name wdev > " + out + " 2>&1 & echo $! > " + pidfile + "; wait $!; echo $? > " + rc +
     ") > /dev/null 2>&1 &");
  ASSERT_TRUE(eventually([&] { return read_file(out).find("server: out") != std::string::npos; }))
      << read_file(out);
  EXPECT_THAT(read_file(out), HasSubstr("dev mode: watching " + dir_));
  // Each line has its time first: 2026-12-05-13:28:10 ...
  EXPECT_EQ(sh("grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9:]{8} .*server: out' " + out).exit_code,
            0)
      << read_file(out);
  EXPECT_EQ(app("wdev")["pm2_env"]["watch"], true);
  const int pid = pid_of("wdev");
  write("index.js");
  ASSERT_TRUE(restarted("wdev", pid));
  EXPECT_TRUE(eventually([&] {
    const std::string text = read_file(out);
    return text.find("server: started") != text.rfind("server: started");
  })) << "the new process's output follows";
  sh("kill -INT $(cat " + pidfile + ")");
  ASSERT_TRUE(eventually([&] { return !read_file(rc).empty(); })) << read_file(out);
  EXPECT_EQ(read_file(rc), "0\n");
  EXPECT_TRUE(app("wdev").is_null());
  EXPECT_EQ(unit_property(watcher_of("wdev"), "LoadState"), "not-found");

  sh("cd " + dir_ + " && " + std::string(PMCTL_BINARY) + " dev " + app_path("crash.js") +
     " --name wdevexit -- 7 > " + out + " 2>&1; echo $? > " + rc);
  EXPECT_EQ(read_file(rc), "7\n") << read_file(out);
  EXPECT_THAT(read_file(out), HasSubstr("crash: start"));
  EXPECT_THAT(read_file(out), HasSubstr("'wdevexit' exited with code 7 and was deleted"));
  EXPECT_TRUE(app("wdevexit").is_null());
}

}  // namespace
}  // namespace pmctl::test
