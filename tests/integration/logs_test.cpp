// pmctl logs and flush read journald, and journalctl agrees with them.
#include <gmock/gmock.h>
#include <stdlib.h>

#include <regex>
#include <sstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using std::chrono::seconds;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count_of(const std::vector<std::string>& lines, const std::string& part) {
  return std::count_if(lines.begin(), lines.end(),
                       [&](const std::string& l) { return contains(l, part); });
}

std::string in_quotes(const std::string& word) {
  std::string out = "'";
  out.append(word).push_back('\'');
  return out;
}

/// `pmctl ARGS` (logs) running in the background until the object goes, its output in a file.
class Follower {
 public:
  /// `env`: "K=V " words before the command.
  explicit Follower(const std::vector<std::string>& args, const std::string& env = "") {
    char dir[] = "/tmp/pmctl-follow-XXXXXX";
    dir_ = mkdtemp(dir);
    std::string command = env + "timeout -s INT 60 " + in_quotes(PMCTL_BINARY);
    for (const auto& a : args) command.append(" ").append(in_quotes(a));
    sh("(" + command + " >" + dir_ + "/out 2>" + dir_ + "/err </dev/null & echo $! >" + dir_ +
       "/pid)");
  }
  ~Follower() { sh("kill -INT $(cat " + dir_ + "/pid); sleep 0.2; rm -rf " + dir_); }
  std::string out() const { return read_file(dir_ + "/out"); }
  /// Whether `part` shows up within 10 s.
  bool shows(const std::string& part) const {
    return eventually([&] { return contains(out(), part); });
  }

 private:
  std::string dir_;
};

class LogsTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    name_ = unique_name("talker");
    start({app_path("server.js"), "--name", name_});
    // Wait until a few lines of each stream are in the journal.
    ASSERT_TRUE(eventually([&] {
      return contains(pmctl({"logs", name_, "--nostream", "--lines", "50"}).out, "err 3");
    }));
  }
  std::string name_;
};

TEST_F(LogsTest, SplitsStdoutAndStderr) {
  const Result out = pmctl({"logs", name_, "--nostream", "--out", "--raw"});
  const Result err = pmctl({"logs", name_, "--nostream", "--err", "--raw"});
  ASSERT_EQ(out.exit_code, 0);
  EXPECT_TRUE(contains(out.out, "server: out"));
  EXPECT_FALSE(contains(out.out, "server: err"));
  EXPECT_TRUE(contains(err.out, "server: err"));
  EXPECT_FALSE(contains(err.out, "server: out"));
  // journald has them at priority 6 and 3, attributed to the unit.
  const std::string unit = unit_of(name_);
  EXPECT_TRUE(
      contains(sh("journalctl -u '" + unit + "' -p 3..3 -o cat --no-pager").out, "server: err"));
  EXPECT_FALSE(
      contains(sh("journalctl -u '" + unit + "' -p 3..3 -o cat --no-pager").out, "server: out"));
}

TEST_F(LogsTest, JournalEntriesCarryFieldsNamingTheAppAndInstance) {
  const std::string id = std::to_string(app(name_)["pm_id"].get<int>());
  const Result r = sh("journalctl PMCTL_APP=" + name_ + " PMCTL_ID=" + id +
                      " SYSLOG_IDENTIFIER=" + name_ + " -o cat -n 3 --no-pager");
  EXPECT_THAT(r.out, ::testing::HasSubstr("server: ")) << r.out;
}

TEST_F(LogsTest, PrintsPm2sIdNamePrefix) {
  const Result r = pmctl({"logs", name_, "--nostream", "--lines", "2", "--no-color"});
  const std::string id = std::to_string(app(name_)["pm_id"].get<int>());
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, id + "|" + name_ + " | server: ")) << r.out;
}

TEST_F(LogsTest, TimestampPrefixesEachLineWithItsTime) {
  const auto lines =
      lines_of(pmctl({"logs", name_, "--nostream", "--lines", "1", "--raw", "--timestamp"}).out);
  ASSERT_EQ(lines.size(), 2u);
  const std::regex stamped(R"(^\d{4}-\d{2}-\d{2}-\d{2}:\d{2}:\d{2} server: .*)");
  for (const auto& line : lines) EXPECT_TRUE(std::regex_match(line, stamped)) << line;
}

// PM2's --timestamp [format]: a word after it is its format, not a target.
TEST_F(LogsTest, TimestampTakesADayjsFormat) {
  const Result r =
      pmctl({"logs", name_, "--nostream", "--lines", "1", "--timestamp", "YYYY [year] HH"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;  // the Tailing line, one of each stream
  const std::regex stamped(R"(^\d{4} year \d{2} \d+\|.* \| server: .*)");
  for (std::size_t i = 1; i < lines.size(); ++i)
    EXPECT_TRUE(std::regex_match(lines[i], stamped)) << lines[i];
}

// PM2 tails each log file: N lines of stdout and N of stderr.
TEST_F(LogsTest, LinesCountsEachStreamAsPm2) {
  const auto both = lines_of(pmctl({"logs", name_, "--nostream", "--lines", "3", "--raw"}).out);
  EXPECT_EQ(both.size(), 6u);
  EXPECT_EQ(count_of(both, "server: out"), 3u);
  EXPECT_EQ(count_of(both, "server: err"), 3u);
  const auto out =
      lines_of(pmctl({"logs", name_, "--nostream", "--lines", "3", "--raw", "--out"}).out);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(count_of(out, "server: out"), 3u);
  EXPECT_TRUE(pmctl({"logs", name_, "--nostream", "--lines", "0", "--raw"}).out.empty());
}

TEST_F(LogsTest, JsonLinesHavePm2sFieldsInOrderAndUtcMilliseconds) {
  const Result r = pmctl({"logs", name_, "--nostream", "--lines", "2", "--json"});
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4u);
  const std::string id = std::to_string(app(name_)["pm_id"].get<int>());
  const std::regex shape(
      R"re(^\{"message":"server: (out|err) \d+","timestamp":"\d{4}-\d{2}-\d{2}T)re"
      R"re(\d{2}:\d{2}:\d{2}\.\d{3}Z","type":"(out|err)","process_id":)re" +
      id + R"re(,"app_name":")re" + name_ + R"re("\}$)re");
  for (const auto& line : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, shape)) << line;
    EXPECT_EQ(m[1], m[2]) << line;  // type follows the stream
  }
  // The time is journald's, to the millisecond.
  const auto j = nlohmann::json::parse(lines.back());
  const std::string usec =
      sh("journalctl -u " + in_quotes(unit_of(name_)) +
         " -o json --no-pager MESSAGE=" + in_quotes(j["message"].get<std::string>()) + " | head -1")
          .out;
  const auto entry = nlohmann::json::parse(usec);
  const long long ms = std::stoll(entry["__REALTIME_TIMESTAMP"].get<std::string>()) / 1000;
  const Result iso = sh("date -u -d @" + std::to_string(ms / 1000) + " +%Y-%m-%dT%H:%M:%S");
  char millis[8];
  snprintf(millis, sizeof millis, ".%03lldZ", ms % 1000);
  EXPECT_EQ(j["timestamp"], lines_of(iso.out).front() + millis);
}

TEST_F(LogsTest, FormatPrintsPm2sKeyValues) {
  const std::string id = std::to_string(app(name_)["pm_id"].get<int>());
  const auto lines = lines_of(pmctl({"logs", name_, "--nostream", "--lines", "2", "--format"}).out);
  ASSERT_EQ(lines.size(), 4u);
  const std::regex kv(R"(^timestamp=\d{4}-\d{2}-\d{2}-\d{2}:\d{2}:\d{2}[+-]\d{4} app=)" + name_ +
                      " id=" + id + R"( type=(out|error) message=server: (out|err) \d+$)");
  for (const auto& line : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, kv)) << line;
    EXPECT_EQ(m[1] == "out", m[2] == "out") << line;
  }
  const auto raw =
      lines_of(pmctl({"logs", name_, "--nostream", "--lines", "1", "--format", "--raw"}).out);
  ASSERT_EQ(raw.size(), 2u);
  for (const auto& line : raw) EXPECT_TRUE(line.starts_with("message=server: ")) << line;
  const auto stamped = lines_of(
      pmctl({"logs", name_, "--nostream", "--lines", "1", "--format", "--timestamp", "HH"}).out);
  ASSERT_EQ(stamped.size(), 2u);
  for (const auto& line : stamped)
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(^timestamp=\d{2} app=.*)"))) << line;
  const Result both = pmctl({"logs", name_, "--nostream", "--format", "--json"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, ::testing::HasSubstr("cannot be combined"));
}

// A grey background (ESC[100m) around every occurrence, on a terminal only.
TEST_F(LogsTest, HighlightMarksTheWordOnATerminalOnly) {
  const std::string logs = in_quotes(PMCTL_BINARY) + " logs " + in_quotes(name_) +
                           " --nostream --lines 2 --out --highlight out";
  const Result tty = sh("script -qec " + in_quotes(logs) + " /dev/null");
  EXPECT_TRUE(contains(tty.out, "server: \033[100mout\033[49m ")) << tty.out;
  const Result pipe = pmctl({"logs", name_, "--nostream", "--lines", "2", "--highlight", "out"});
  EXPECT_FALSE(contains(pipe.out, "\033")) << pipe.out;
  EXPECT_TRUE(contains(pipe.out, "| server: out ")) << pipe.out;
  const Result no_color = sh("script -qec " + in_quotes(logs + " --no-color") + " /dev/null");
  EXPECT_FALSE(contains(no_color.out, "\033[100m")) << no_color.out;
  const Result bare = pmctl({"logs", name_, "--nostream", "--lines", "1", "--highlight"});
  EXPECT_EQ(bare.exit_code, 0);
  EXPECT_THAT(bare.err, ::testing::HasSubstr("highlights nothing"));
}

TEST_F(LogsTest, JournalctlShowsTheSameLines) {
  const std::string unit = unit_of(name_);
  pmctl({"stop", name_});  // freeze the log so both reads see the same end
  for (const auto& [stream, priority] : {std::pair{"--out", "6"}, std::pair{"--err", "3"}}) {
    const auto ours =
        lines_of(pmctl({"logs", name_, "--nostream", "--lines", "6", "--raw", stream}).out);
    const auto theirs =
        lines_of(sh("journalctl -u '" + unit + "' _SYSTEMD_UNIT='" + unit + "' -p " + priority +
                    ".." + priority + " -o cat -n 6 --no-pager")
                     .out);
    EXPECT_EQ(ours, theirs) << stream;
  }
}

TEST_F(LogsTest, FlushHidesEarlierLinesButJournalctlKeepsThem) {
  const Result f = pmctl({"flush", name_});
  ASSERT_EQ(f.exit_code, 0);
  EXPECT_TRUE(contains(f.out, "journalctl")) << f.out;
  const std::string after = pmctl({"logs", name_, "--nostream", "--lines", "1000", "--raw"}).out;
  EXPECT_FALSE(contains(after, "server: out 1\n")) << after;
  EXPECT_TRUE(contains(sh("journalctl -u '" + unit_of(name_) + "' -o cat --no-pager").out,
                       "server: out 1\n"));
  // New lines still show up after a flush.
  EXPECT_TRUE(eventually([&] {
    return contains(pmctl({"logs", name_, "--nostream", "--raw"}).out, "server: out");
  }));
}

TEST_F(LogsTest, FollowsNewLinesUntilInterrupted) {
  const Result r =
      run({"timeout", "-s", "INT", "1.5", PMCTL_BINARY, "logs", name_, "--lines", "0", "--raw"});
  const auto lines = lines_of(r.out);
  EXPECT_GE(lines.size(), 4u) << r.out;  // 1.5 s of a line per 200 ms on each stream
}

// PM2's `pm2 logs` shows what the app's files hold: with --time or --log-date-format, the date
// before each line. pmctl puts it there from journald's time.
TEST_F(LogsTest, ShowsTheAppsDeclaredDatePrefix) {
  const std::string dated = unique_name("dated");
  start({app_path("server.js"), "--name", dated, "--time"});
  wait_for_line(dated, "server: err 2");
  const std::regex iso(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}: server: .*)");
  for (const auto& line :
       lines_of(pmctl({"logs", dated, "--nostream", "--lines", "2", "--raw"}).out))
    EXPECT_TRUE(std::regex_match(line, iso)) << line;
  const auto tagged = lines_of(pmctl({"logs", dated, "--nostream", "--lines", "1"}).out);
  ASSERT_EQ(tagged.size(), 3u);
  EXPECT_TRUE(std::regex_search(tagged[1], std::regex(R"(\| \d{4}-\d{2}-\d{2}T.*: server: )")))
      << tagged[1];
  // --json keeps the bare line: its timestamp has the time.
  for (const auto& line :
       lines_of(pmctl({"logs", dated, "--nostream", "--lines", "1", "--json"}).out))
    EXPECT_THAT(nlohmann::json::parse(line)["message"].get<std::string>(),
                ::testing::StartsWith("server: "));
}

// `pmctl logs --time` / `--log-date-format` prefix the lines of this view, and win over the
// app's own format.
TEST_F(LogsTest, TimeAndLogDateFormatPrefixThisView) {
  const std::regex time(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}: server: .*)");
  for (const auto& line :
       lines_of(pmctl({"logs", name_, "--nostream", "--lines", "1", "--raw", "--time"}).out))
    EXPECT_TRUE(std::regex_match(line, time)) << line;
  const std::string dated = unique_name("dated");
  start({app_path("server.js"), "--name", dated, "--log-date-format", "YYYY"});
  wait_for_line(dated, "server: err 2");
  const std::regex hour(R"(^\d{2}h: server: .*)");
  for (const std::string& target : {name_, dated})
    for (const auto& line : lines_of(pmctl({"logs", target, "--nostream", "--lines", "1", "--raw",
                                            "--log-date-format", "HH[h]", "--time"})
                                         .out))
      EXPECT_TRUE(std::regex_match(line, hour)) << line;
  const Result empty = pmctl({"logs", name_, "--nostream", "--log-date-format", ""});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, ::testing::HasSubstr("--log-date-format needs a format"));
}

// Following all apps: an app started later shows up, from its first line.
TEST_F(LogsTest, FollowingAllShowsAppsStartedLater) {
  const Follower follower({"logs", "--lines", "0", "--raw"});
  ASSERT_TRUE(follower.shows("server: out")) << follower.out();  // it follows by now
  const std::string later = unique_name("later");
  start({app_path("server.js"), "--name", later});
  EXPECT_TRUE(follower.shows("name=" + later + " ")) << follower.out();  // its first line
}

// Following one app: the instances a scale adds show up; other apps started later do not.
TEST_F(LogsTest, FollowingAnAppShowsTheInstancesAScaleAdds) {
  const Follower follower({"logs", name_, "--lines", "0"});
  ASSERT_TRUE(follower.shows("server: out")) << follower.out();
  const std::string other = unique_name("other");
  start({app_path("server.js"), "--name", other});
  const int first = app(name_)["pm_id"].get<int>();
  ASSERT_EQ(pmctl({"scale", name_, "3"}).exit_code, 0);
  std::vector<std::string> added;
  for (const auto& a : jlist())
    if (a["name"] == name_ && a["pm_id"] != first)
      added.push_back(std::to_string(a["pm_id"].get<int>()));
  ASSERT_EQ(added.size(), 2u);
  for (const auto& id : added)
    EXPECT_TRUE(follower.shows(id + "|" + name_ + " | server: out")) << id << follower.out();
  wait_for_line(other, "server: out 3");
  EXPECT_FALSE(contains(follower.out(), other)) << follower.out();
}

// With no app yet, following waits for the first (PM2's `pm2 logs` does); --nostream says so.
TEST_F(PmctlTest, LogsWithNoAppsFollowsTheFirstThatStarts) {
  const Result none = pmctl({"logs", "--nostream"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, ::testing::HasSubstr("no apps registered"));
  const Follower follower({"logs"});
  ASSERT_TRUE(follower.shows("No apps registered yet")) << follower.out();
  const std::string first = unique_name("first");
  start({app_path("server.js"), "--name", first});
  EXPECT_TRUE(follower.shows("name=" + first + " ")) << follower.out();
}

// A cluster app scaled while `pmctl logs <app>` follows: the new instances' first lines show.
TEST_F(PmctlTest, FollowingAClusterAppShowsTheInstancesAScaleAdds) {
  const std::string name = unique_name("cweb");
  start({app_path("http_instance.js"), "--name", name, "-i", "2", "--port", "17490"});
  const Follower follower({"logs", name, "--lines", "0"});
  // Said once it has taken the time it follows from.
  ASSERT_TRUE(follower.shows("Tailing last 0 lines")) << follower.out();
  ASSERT_EQ(pmctl({"scale", name, "4"}).exit_code, 0);
  for (const char* instance : {"as 2\n", "as 3\n"})
    EXPECT_TRUE(follower.shows(instance)) << follower.out();
  EXPECT_TRUE(contains(follower.out(), "|" + name + " | listening on ")) << follower.out();
}

// User units log without pmctl's journal fields, under _SYSTEMD_USER_UNIT: the same follow.
TEST(LogsUserTest, FollowingUserAppsShowsAppsStartedLater) {
  ASSERT_EQ(sh("systemctl start user@0.service").exit_code, 0);
  const std::vector<std::string> env{"XDG_RUNTIME_DIR=/run/user/0"};
  const std::string early = unique_name("early"), later = unique_name("later");
  ASSERT_EQ(pmctl({"--user", "start", app_path("server.js"), "--name", early}, env).exit_code, 0);
  {
    const Follower follower({"--user", "logs", "--lines", "0"}, "XDG_RUNTIME_DIR=/run/user/0 ");
    EXPECT_TRUE(follower.shows("|" + early + " | server: out")) << follower.out();
    ASSERT_EQ(pmctl({"--user", "start", app_path("server.js"), "--name", later}, env).exit_code, 0);
    EXPECT_TRUE(follower.shows("name=" + later + " ")) << follower.out();
  }
  pmctl({"--user", "delete", "all"}, env);
}

}  // namespace
}  // namespace pmctl::test
