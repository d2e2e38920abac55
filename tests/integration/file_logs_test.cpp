// Log files where the declaration asks for them, with PM2's names; the journal keeps every line.
#include <gmock/gmock.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class FileLogsTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    dir_ = "/var/tmp/" + unique_name("pmctl-file-logs");
    fs::remove_all(dir_);
    name_ = unique_name("filer");
  }
  void TearDown() override {
    PmctlTest::TearDown();
    fs::remove_all(dir_);
  }

  /// Starts server.js (a line per 200 ms on each stream) with `flags`; returns its pm_id.
  int start_server(const std::vector<std::string>& flags, const std::string& script = "server.js") {
    std::vector<std::string> args{app_path(script), "--name", name_};
    args.insert(args.end(), flags.begin(), flags.end());
    start(args);
    return app(name_)["pm_id"].get<int>();
  }
  std::string path(const std::string& file) const { return dir_ + "/" + file; }
  bool eventually_in(const std::string& file, const std::string& text) {
    return eventually([&] { return contains(read_file(path(file)), text); });
  }
  std::string journal() {
    return sh("journalctl -u '" + unit_of(name_) + "' -o cat --no-pager").out;
  }

  std::string dir_;
  std::string name_;
};

TEST_F(FileLogsTest, WritesOutErrAndCombinedFilesAtTheDeclaredPaths) {
  // Relative paths are relative to the app's working directory.
  fs::create_directories(dir_);
  start_server({"--cwd", dir_, "-o", "sub/out.log", "-e", path("err.log"), "-l", path("all.log")});
  ASSERT_TRUE(eventually_in("all.log", "server: err 3")) << read_file(path("all.log"));
  const std::string out = read_file(path("sub/out.log"));
  const std::string err = read_file(path("err.log"));
  EXPECT_TRUE(contains(out, "server: started pm_id=")) << out;
  EXPECT_TRUE(contains(out, "server: out 1\n"));
  EXPECT_FALSE(contains(out, "server: err"));
  EXPECT_TRUE(contains(err, "server: err 1\n"));
  EXPECT_FALSE(contains(err, "server: out"));
  EXPECT_TRUE(contains(read_file(path("all.log")), "server: out 1\n"));
}

TEST_F(FileLogsTest, KeepsEveryLineInTheJournalAndTheAppAsMainPid) {
  start_server({"-o", path("out.log"), "-e", path("err.log")});
  ASSERT_TRUE(eventually_in("err.log", "server: err 2"));
  const std::string unit = unit_of(name_);
  EXPECT_TRUE(eventually([&] { return contains(journal(), "server: err 2"); }));
  // stderr keeps its priority in the journal.
  const Result errs = sh("journalctl -u '" + unit + "' -p 3..3 -o cat --no-pager");
  EXPECT_TRUE(contains(errs.out, "server: err 1")) << errs.out;
  EXPECT_FALSE(contains(errs.out, "server: out 1"));
  // systemd's main PID is the app itself, which pmctl ls shows.
  const std::string main_pid = unit_property(unit, "MainPID");
  EXPECT_EQ(main_pid, std::to_string(app(name_)["pid"].get<int>()));
  EXPECT_EQ(read_file("/proc/" + main_pid + "/comm"), "node\n");
}

TEST_F(FileLogsTest, AddsTheIdBeforeTheExtensionUnlessLogsAreMerged) {
  const int id = start_server({"--no-merge-logs", "-o", path("out.log"), "-l", path("all")});
  const std::string suffix = "-" + std::to_string(id);
  EXPECT_TRUE(eventually_in("out" + suffix + ".log", "server: out 1"));
  EXPECT_TRUE(eventually_in("all" + suffix, "server: err 1"));
  EXPECT_FALSE(fs::exists(path("out.log")));
  EXPECT_FALSE(fs::exists(path("all")));
  // jlist names the files as PM2 does; no key for a stream that only goes to the journal.
  const auto env = app(name_)["pm2_env"];
  EXPECT_EQ(env["pm_out_log_path"], path("out" + suffix + ".log"));
  EXPECT_EQ(env["pm_log_path"], path("all" + suffix));
  EXPECT_FALSE(env.contains("pm_err_log_path"));
  EXPECT_THAT(pmctl({"show", name_}).out, ::testing::HasSubstr(path("out" + suffix + ".log")));
}

TEST_F(FileLogsTest, MergedLogsKeepTheDeclaredNameAsInPm2sForkMode) {
  start_server({"--merge-logs", "-o", path("out.log")});
  EXPECT_TRUE(eventually_in("out.log", "server: out 1"));
}

TEST_F(FileLogsTest, DevNullAndNullWriteNoFileWhileTheJournalKeepsTheLines) {
  start_server({"-o", "/dev/null", "-e", "NULL", "-l", path("all.log")});
  ASSERT_TRUE(eventually_in("all.log", "server: err 2"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1)
      << "only all.log";
  EXPECT_TRUE(eventually([&] { return contains(journal(), "server: out 2"); }));
  const auto argv = unit_property(unit_of(name_), "ExecStart");
  EXPECT_FALSE(contains(argv, "--out")) << argv;
  EXPECT_FALSE(contains(argv, "--err")) << argv;
}

TEST_F(FileLogsTest, DisableLogsDropsTheOutputEverywhere) {
  start_server({"--disable-logs", "-o", path("out.log")});
  const std::string unit = unit_of(name_);
  EXPECT_EQ(unit_property(unit, "StandardOutput"), "null");
  EXPECT_EQ(unit_property(unit, "StandardError"), "null");
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(status_of(name_), "online");
  EXPECT_FALSE(fs::exists(path("out.log")));
  EXPECT_FALSE(contains(journal(), "server: out"));
}

TEST_F(FileLogsTest, PrefixesEachFileLineWithTheDayjsDate) {
  start_server({"-o", path("out.log"), "--log-date-format", "YYYY-MM-DD HH:mm:ss.SSS Z"});
  ASSERT_TRUE(eventually_in("out.log", "server: out 2"));
  const std::regex stamped(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d: server: .*)");
  for (const auto& line : lines_of(read_file(path("out.log"))))
    EXPECT_TRUE(std::regex_match(line, stamped)) << line;
  // The journal gets the bare line: it has its own timestamps.
  EXPECT_TRUE(contains(journal(), "\nserver: out 1\n"));
}

TEST_F(FileLogsTest, TimeUsesPm2sDefaultFormat) {
  start_server({"-e", path("err.log"), "--time"});
  ASSERT_TRUE(eventually_in("err.log", "server: err 1"));
  const std::regex stamped(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: server: err \d+$)");
  for (const auto& line : lines_of(read_file(path("err.log"))))
    EXPECT_TRUE(std::regex_match(line, stamped)) << line;
}

TEST_F(FileLogsTest, WritesPm2sJsonObjectsWithLogTypeJson) {
  const int id = start_server({"-l", path("all.log"), "--log-type", "json"});
  ASSERT_TRUE(eventually_in("all.log", "server: err 2"));
  const std::regex iso(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)");
  std::set<std::string> types;
  for (const auto& line : lines_of(read_file(path("all.log")))) {
    const auto j = nlohmann::ordered_json::parse(line);  // keeps the order of the keys
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"message", "timestamp", "type", "process_id", "app_name"}));
    EXPECT_TRUE(j["message"].get<std::string>().starts_with("server: ")) << line;
    EXPECT_TRUE(j["message"].get<std::string>().ends_with("\n")) << line;
    EXPECT_TRUE(std::regex_match(j["timestamp"].get<std::string>(), iso)) << line;
    EXPECT_EQ(j["process_id"], id);
    EXPECT_EQ(j["app_name"], name_);
    types.insert(j["type"].get<std::string>());
    EXPECT_EQ(j["type"] == "err", contains(j["message"], "server: err")) << line;
  }
  EXPECT_EQ(types, (std::set<std::string>{"out", "err"}));
}

TEST_F(FileLogsTest, PidFileHoldsTheMainPidWhileRunningAndGoesAtStop) {
  const int id = start_server({"-p", path("run/app.pid")});
  const std::string pid_file = path("run/app-" + std::to_string(id) + ".pid");
  ASSERT_TRUE(eventually([&] { return !read_file(pid_file).empty(); }));
  EXPECT_EQ(read_file(pid_file), unit_property(unit_of(name_), "MainPID"));
  ASSERT_EQ(pmctl({"stop", name_}).exit_code, 0);
  EXPECT_FALSE(fs::exists(pid_file));
  // And back at the next start, with the new PID.
  ASSERT_EQ(pmctl({"start", name_}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return !read_file(pid_file).empty(); }));
  EXPECT_EQ(read_file(pid_file), std::to_string(app(name_)["pid"].get<int>()));
}

TEST_F(FileLogsTest, StopWritesTheAppsLastLinesBeforeTheWriterEnds) {
  start_server({"-o", path("out.log")}, "goodbye.js");
  ASSERT_TRUE(eventually_in("out.log", "goodbye: started"));
  ASSERT_EQ(pmctl({"stop", name_}).exit_code, 0);
  EXPECT_TRUE(contains(read_file(path("out.log")), "goodbye: last words\n"));
  EXPECT_EQ(status_of(name_), "stopped");
}

TEST_F(FileLogsTest, ReloadLogsReopensFilesRenamedByLogrotate) {
  start_server({"-o", path("out.log"), "-e", path("err.log")});
  ASSERT_TRUE(eventually_in("out.log", "server: out 2"));
  fs::rename(path("out.log"), path("out.log.1"));
  const Result r = pmctl({"reloadLogs"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "1 log writer")) << r.out;
  ASSERT_TRUE(eventually([&] { return fs::exists(path("out.log")); }));
  EXPECT_TRUE(eventually_in("out.log", "server: out"));
  // The app was not signalled: still the same run.
  EXPECT_EQ(status_of(name_), "online");
  EXPECT_EQ(app(name_)["pm2_env"]["restart_time"], 0);
  // Nothing is lost or doubled across the two files.
  const std::string old_lines = read_file(path("out.log.1"));
  const std::string new_lines = read_file(path("out.log"));
  const auto first_new = lines_of(new_lines).front();
  EXPECT_FALSE(contains(old_lines, first_new + "\n")) << first_new;
}

// PM2 deletes nothing either: removed files (and their directory) are made again at the
// declared paths, and the writer counts as reopened.
TEST_F(FileLogsTest, ReloadLogsRecreatesRemovedFilesAndTheirDirectory) {
  start_server({"-o", path("logs/out.log"), "-e", path("logs/err.log")});
  ASSERT_TRUE(eventually_in("logs/err.log", "server: err 2"));
  fs::remove(path("logs/out.log"));
  fs::remove(path("logs/err.log"));
  Result r = pmctl({"reloadLogs", name_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "(1 log writer(s) reopened")) << r.out;
  EXPECT_TRUE(eventually_in("logs/out.log", "server: out"));
  EXPECT_TRUE(eventually_in("logs/err.log", "server: err"));
  fs::remove_all(path("logs"));
  r = pmctl({"reloadLogs", name_});
  EXPECT_TRUE(contains(r.out, "(1 log writer(s) reopened")) << r.out;
  EXPECT_TRUE(eventually_in("logs/out.log", "server: out"));
  EXPECT_EQ(app(name_)["pm2_env"]["restart_time"], 0);
}

// A write without a newline reaches the file after a short wait; the rest of the line follows
// without a second date prefix, and what is left at exit is written then.
TEST_F(FileLogsTest, WritesALineWithoutItsNewlineAfterAShortWait) {
  start_server({"-o", path("out.log"), "-e", path("err.log"), "--time"}, "partial.sh");
  ASSERT_TRUE(eventually_in("err.log", "partial: waiting"));
  EXPECT_TRUE(eventually_in("out.log", "partial: half"));
  EXPECT_FALSE(contains(read_file(path("out.log")), "rest")) << "written before the rest came";
  ASSERT_TRUE(eventually_in("out.log", " and rest\n"));
  const std::regex stamped(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: partial: half and rest$)");
  EXPECT_TRUE(std::regex_match(lines_of(read_file(path("out.log"))).at(0), stamped))
      << read_file(path("out.log"));
  EXPECT_EQ(lines_of(read_file(path("out.log"))).size(), 1u);
  EXPECT_EQ(status_of(name_), "online");
}

TEST_F(FileLogsTest, WritesWhatIsLeftWithoutANewlineAtExit) {
  start_server({"-o", path("out.log"), "--no-autorestart", "--setenv", "PARTIAL_EXIT=1"},
               "partial.sh");
  ASSERT_TRUE(eventually([&] { return status_of(name_) == "stopped"; }));
  EXPECT_TRUE(eventually_in("out.log", "partial: last words\n"));
  EXPECT_EQ(read_file(path("out.log")), "partial: half and rest\npartial: last words\n");
}

// PM2 writes an object per chunk: the piece and the rest are two objects, the newline in the
// second's message.
TEST_F(FileLogsTest, JsonWritesThePiecesOfALineAsTwoObjects) {
  start_server({"-o", path("out.log"), "--log-type", "json"}, "partial.sh");
  ASSERT_TRUE(eventually_in("out.log", "and rest"));
  const auto lines = lines_of(read_file(path("out.log")));
  ASSERT_EQ(lines.size(), 2u) << read_file(path("out.log"));
  EXPECT_EQ(nlohmann::json::parse(lines[0])["message"], "partial: half");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["message"], " and rest\n");
}

TEST_F(FileLogsTest, LogsShowsAFileLoggedAppsLines) {
  start_server({"-o", path("out.log"), "-e", path("err.log"), "--time"});
  ASSERT_TRUE(eventually_in("err.log", "server: err 4"));
  // With the date prefix --time puts in the files (PM2's `pm2 logs` shows the files' lines).
  const auto out =
      lines_of(pmctl({"logs", name_, "--nostream", "--lines", "3", "--raw", "--out"}).out);
  ASSERT_EQ(out.size(), 3u);
  const std::regex dated(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}: server: (out|err) \d+$)");
  for (const auto& line : out) {
    EXPECT_TRUE(std::regex_match(line, dated)) << line;
    EXPECT_TRUE(contains(line, ": server: out ")) << line;
  }
  const auto err =
      lines_of(pmctl({"logs", name_, "--nostream", "--lines", "2", "--raw", "--err"}).out);
  ASSERT_EQ(err.size(), 2u);
  for (const auto& line : err) {
    EXPECT_TRUE(std::regex_match(line, dated)) << line;
    EXPECT_TRUE(contains(line, ": server: err ")) << line;
  }
}

TEST_F(FileLogsTest, FlushEmptiesTheLogFiles) {
  start_server({"-o", path("out.log"), "-l", path("all.log")});
  ASSERT_TRUE(eventually_in("out.log", "server: out 3"));
  const Result f = pmctl({"flush", name_});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_TRUE(contains(f.out, "emptied " + path("out.log"))) << f.out;
  EXPECT_FALSE(contains(read_file(path("out.log")), "server: out 1\n"));
  EXPECT_FALSE(contains(read_file(path("all.log")), "server: out 1\n"));
  // The writer carries on at the start of the emptied file.
  EXPECT_TRUE(eventually([&] { return lines_of(read_file(path("out.log"))).size() >= 2; }));
  const std::string out = read_file(path("out.log"));
  EXPECT_THAT(out, ::testing::Not(::testing::HasSubstr(std::string(1, '\0'))))
      << "no hole before the new lines";
}

TEST_F(FileLogsTest, ALogFileThatCannotBeOpenedFailsTheAppWithAClearLine) {
  start({app_path("server.js"), "--name", name_, "-o", "/proc/pmctl-no-such-dir/out.log",
         "--max-restarts", "2"});
  EXPECT_TRUE(eventually([&] { return status_of(name_) == "errored"; }));
  EXPECT_TRUE(contains(journal(), "pmctl-logwriter: cannot open '/proc/pmctl-no-such-dir/out.log'"))
      << journal();
}

TEST_F(FileLogsTest, RejectsAnUnknownLogType) {
  const Result r = pmctl({"start", app_path("server.js"), "--name", name_, "--log-type", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--log-type 'xml'")) << r.err;
  EXPECT_TRUE(app(name_).is_null());
}

}  // namespace
}  // namespace pmctl::test

namespace pmctl::test {
namespace {

const std::vector<std::string> kUserEnv{"XDG_RUNTIME_DIR=/run/user/0"};

TEST(FileLogsUserManagerTest, WritesAndReopensFilesForUserUnits) {
  ASSERT_EQ(sh("systemctl start user@0.service").exit_code, 0);
  const std::string name = unique_name("userfiler");
  const std::string dir = "/var/tmp/" + name;
  const auto user = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "--user");
    return pmctl(args, kUserEnv);
  };
  ASSERT_EQ(
      user({"start", app_path("server.js"), "--name", name, "-o", dir + "/out.log"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return contains(read_file(dir + "/out.log"), "server: out 2"); }));
  std::filesystem::rename(dir + "/out.log", dir + "/out.log.1");
  const Result r = user({"reloadLogs", name});
  EXPECT_TRUE(contains(r.out, "1 log writer")) << r.out << r.err;
  EXPECT_TRUE(eventually([&] { return contains(read_file(dir + "/out.log"), "server: out"); }));
  user({"delete", name});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pmctl::test
