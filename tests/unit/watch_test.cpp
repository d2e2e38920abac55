// pmctl-watch end to end, without systemd: the real binary watches a temporary tree, with --pmctl
// a script that appends its arguments to a file. Positive checks wait until what they expect
// happens (up to 20 s, for a loaded machine); only "nothing more happens" checks sleep.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string watch_binary() {
  if (const char* env = std::getenv("PMCTL_WATCH")) return env;
  return (fs::read_symlink("/proc/self/exe").parent_path() / "../../src/cli/pmctl-watch")
      .lexically_normal();
}

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  std::istringstream in(read(file));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

template <typename F>
bool eventually(F done) {
  for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(20ms))
    if (done()) return true;
  return done();
}

class WatchTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(watch_binary())) GTEST_SKIP() << "no " << watch_binary();
    char tmpl[] = "/tmp/pmctl-watch-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    app_ = tmp_ / "app";
    fs::create_directories(app_ / "src");
    fs::create_directories(app_ / "node_modules/express");
    fs::create_directories(app_ / ".git/objects");
    write(app_ / "src/a.js", "a");
    // The fake pmctl: records its arguments, and takes its time while "slow" exists.
    write(tmp_ / "pmctl", "#!/bin/sh\necho \"$*\" >> " + (tmp_ / "calls").string() + "\n[ -e " +
                              (tmp_ / "slow").string() + " ] && sleep 1\nexit 0\n");
    fs::permissions(tmp_ / "pmctl", fs::perms::owner_all);
  }

  void TearDown() override {
    stop();
    if (!tmp_.empty()) fs::remove_all(tmp_);
  }

  /// Starts pmctl-watch with the fake pmctl and `args`, waits for its start line.
  void start(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        watch_binary(), "--pmctl", (tmp_ / "pmctl").string(), "--name", "w", "--action", "restart"};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::size_t started = count_lines("watching ");
    pid_ = spawn(argv);
    ASSERT_GT(pid_, 0);
    ASSERT_TRUE(eventually([&] { return count_lines("watching ") > started; })) << log();
  }

  pid_t spawn(const std::vector<std::string>& argv) {
    std::vector<char*> c_argv;
    for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = (tmp_ / "log").string();
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    if (posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  /// SIGTERM, and its exit status (-1 if it did not end within 20 s).
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = -1;
    const bool ended = eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; });
    if (!ended) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  /// The exit status of a run that ends by itself.
  int run_to_end(const std::vector<std::string>& argv) {
    const pid_t pid = spawn(argv);
    int status = -1;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string log() const { return read(tmp_ / "log"); }
  std::size_t count_lines(std::string_view start) const {
    std::size_t n = 0;
    for (const auto& line : lines_of(tmp_ / "log")) n += line.starts_with(start);
    return n;
  }
  std::size_t calls() const { return lines_of(tmp_ / "calls").size(); }
  bool calls_reach(std::size_t n) const {
    return eventually([&] { return calls() >= n; });
  }
  /// The "change in ..." lines.
  std::vector<std::string> changes() const {
    std::vector<std::string> found;
    for (const auto& line : lines_of(tmp_ / "log"))
      if (line.starts_with("change in ")) found.push_back(line);
    return found;
  }

  fs::path tmp_, app_;
  pid_t pid_ = -1;
};

TEST_F(WatchTest, RestartsOnceForOneWriteAndSaysWhatChanged) {
  start({"--path", app_.string()});
  EXPECT_NE(log().find("watching 2 directories under " + app_.string() +
                       " (ignoring dotfiles and node_modules), delay 0 ms"),
            std::string::npos)
      << log();
  write(app_ / "src/a.js", "changed");
  ASSERT_TRUE(calls_reach(1));
  EXPECT_EQ(lines_of(tmp_ / "calls")[0], "--silent restart w");
  ASSERT_TRUE(eventually([&] { return changes().size() == 1; }));
  EXPECT_TRUE(changes()[0].starts_with("change in src/a.js")) << changes()[0];
  EXPECT_TRUE(changes()[0].ends_with(": " + (tmp_ / "pmctl").string() + " --silent restart w"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(calls(), 1u);
  EXPECT_EQ(stop(), 0);
}

TEST_F(WatchTest, IgnoresDotfilesAndNodeModulesByDefault) {
  start({"--path", app_.string()});
  write(app_ / "node_modules/express/index.js", "x");
  write(app_ / ".git/objects/ab", "x");
  write(app_ / "src/.eslintrc", "x");
  fs::create_directories(app_ / "node_modules/new/deep");
  write(app_ / "src/b.js", "b");
  ASSERT_TRUE(calls_reach(1));
  ASSERT_TRUE(eventually([&] { return changes().size() == 1; }));
  // Had the ignored writes counted, the first change would be theirs.
  EXPECT_TRUE(changes()[0].starts_with("change in src/b.js")) << changes()[0];
  write(app_ / "node_modules/express/index.js", "y");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(calls(), 1u);
}

TEST_F(WatchTest, WatchesNewDirectoriesAtOnce) {
  start({"--path", app_.string()});
  fs::create_directories(app_ / "new/deep");
  ASSERT_TRUE(calls_reach(1));
  write(app_ / "new/deep/c.js", "c");
  ASSERT_TRUE(calls_reach(2));
  ASSERT_TRUE(eventually([&] { return changes().size() == 2; }));
  EXPECT_TRUE(changes()[1].starts_with("change in new/deep/c.js")) << changes()[1];
  // A directory moved in with files in it, then written into.
  fs::create_directories(tmp_ / "outside/sub");
  fs::rename(tmp_ / "outside", app_ / "moved");
  ASSERT_TRUE(calls_reach(3));
  write(app_ / "moved/sub/d.js", "d");
  ASSERT_TRUE(calls_reach(4));
  // Deleted directories are dropped; the rest is still watched.
  fs::remove_all(app_ / "new");
  ASSERT_TRUE(calls_reach(5));
  write(app_ / "src/a.js", "again");
  ASSERT_TRUE(calls_reach(6));
}

TEST_F(WatchTest, ChangesDuringARestartCauseExactlyOneMore) {
  start({"--path", app_.string()});
  write(tmp_ / "slow", "");
  write(app_ / "src/a.js", "1");
  ASSERT_TRUE(calls_reach(1));  // the fake pmctl now sleeps for a second
  write(app_ / "src/b.js", "2");
  write(app_ / "src/c.js", "3");
  fs::remove(tmp_ / "slow");
  ASSERT_TRUE(calls_reach(2));
  ASSERT_TRUE(eventually([&] { return changes().size() == 2; }));
  EXPECT_TRUE(changes()[1].starts_with("change in src/b.js (+")) << changes()[1];
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(calls(), 2u);
}

TEST_F(WatchTest, HonoursUserIgnoresAndTheDelay) {
  fs::create_directories(app_ / "logs/old");
  start({"--path", app_.string(), "--ignore", "logs", "--ignore", "*.tmp", "--delay-ms", "200",
         "--user"});
  // With --ignore, PM2's default is replaced: .git and node_modules are watched, logs is not.
  EXPECT_NE(log().find("watching 6 directories"), std::string::npos) << log();
  const auto written = std::chrono::steady_clock::now();
  write(app_ / "logs/out.log", "x");
  write(app_ / "src/x.tmp", "x");
  write(app_ / ".git/HEAD", "x");
  ASSERT_TRUE(calls_reach(1));
  EXPECT_GE(std::chrono::steady_clock::now() - written, 200ms);
  EXPECT_EQ(lines_of(tmp_ / "calls")[0], "--user --silent restart w");
  ASSERT_TRUE(eventually([&] { return changes().size() == 1; }));
  EXPECT_TRUE(changes()[0].starts_with("change in .git/HEAD")) << changes()[0];
}

TEST_F(WatchTest, WatchesAFileThroughItsDirectory) {
  write(app_ / "config.json", "{}");
  start({"--path", (app_ / "config.json").string()});
  write(app_ / "other.json", "{}");
  write(app_ / "src/a.js", "x");
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(calls(), 0u);
  // An editor's save: a new file renamed over the old one.
  write(app_ / "config.json.swp", "{\"a\": 1}");
  fs::rename(app_ / "config.json.swp", app_ / "config.json");
  ASSERT_TRUE(calls_reach(1));
  ASSERT_TRUE(eventually([&] { return changes().size() == 1; }));
  EXPECT_TRUE(changes()[0].starts_with("change in config.json")) << changes()[0];
}

TEST_F(WatchTest, FollowsSymlinkedDirectoriesOnlyWhenAskedAndSurvivesLoops) {
  fs::create_directories(tmp_ / "shared");
  fs::create_directory_symlink(tmp_ / "shared", app_ / "lib");
  fs::create_directory_symlink(app_, app_ / "src/loop");
  start({"--path", app_.string()});
  write(tmp_ / "shared/x.js", "x");
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(calls(), 0u);
  EXPECT_EQ(stop(), 0);
  start({"--path", app_.string(), "--follow-symlinks"});
  write(tmp_ / "shared/y.js", "y");
  ASSERT_TRUE(calls_reach(1));
}

TEST_F(WatchTest, FollowsAPathThatIsASymlink) {
  fs::create_directory_symlink(app_, tmp_ / "current");
  start({"--path", (tmp_ / "current").string()});
  EXPECT_NE(log().find("watching 2 directories"), std::string::npos) << log();
  write(app_ / "src/a.js", "x");
  ASSERT_TRUE(calls_reach(1));
}

TEST_F(WatchTest, GoesOnWithoutAMissingPathAndFailsWithNothingToWatch) {
  start({"--path", (tmp_ / "missing").string(), "--path", app_.string()});
  EXPECT_NE(log().find("cannot watch '" + (tmp_ / "missing").string() +
                       "': No such file or directory, ignoring"),
            std::string::npos)
      << log();
  EXPECT_EQ(stop(), 0);
  const std::string fake = (tmp_ / "pmctl").string();
  EXPECT_EQ(run_to_end({watch_binary(), "--pmctl", fake, "--name", "w", "--action", "restart",
                        "--path", (tmp_ / "missing").string()}),
            1);
  EXPECT_EQ(run_to_end({watch_binary(), "--pmctl", fake, "--name", "w", "--path", "/"}), 2);
  EXPECT_NE(log().find("pmctl-watch: --pmctl, --name, --action and --path are required\nusage: "),
            std::string::npos)
      << log();
}

}  // namespace
