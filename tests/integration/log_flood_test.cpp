// Log floods: every line of a burst reaches the journal and `pmctl logs`; what journald still
// drops is reported with journald's own count; NUL bytes round-trip; `journal: false` writes the
// files through systemd alone. docs/reliability.md, "1. Log floods".
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::size_t count_lines(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.starts_with(prefix);
  return n;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class LogFloodTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    name_ = unique_name("flood");
    dir_ = "/var/tmp/" + unique_name("pmctl-flood");
    fs::remove_all(dir_);
  }
  void TearDown() override {
    PmctlTest::TearDown();
    fs::remove_all(dir_);
    if (!dropin_.empty()) {
      fs::remove_all(dropin_);
      sh("systemctl daemon-reload");
    }
  }
  /// The sum of N_DROPPED in journald's "Suppressed N messages" entries matching `match` (an
  /// OBJECT_ field: the unit, or one run of it).
  std::size_t journald_dropped(const std::string& match) {
    return std::stoul(sh("journalctl MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e '" + match +
                         "' -o export --no-pager | sed -n 's/^N_DROPPED=//p' | awk '{s+=$1} END "
                         "{print s+0}'")
                          .out);
  }
  std::string journal(const std::string& unit) {
    return sh("journalctl -u '" + unit + "' -o cat --no-pager").out;
  }
  /// Starts flood.sh with `lines` and `extra` flags, and waits until it has said it is done.
  void start_flood(int lines, const std::vector<std::string>& extra = {},
                   const std::string& pause = "0") {
    std::vector<std::string> argv = {"start", app_path("flood.sh"), "--name", name_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const Result r = pmctl(argv, {"FLOOD_LINES=" + std::to_string(lines), "FLOOD_PAUSE=" + pause});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void wait_done() {
    ASSERT_TRUE(eventually(
        [&] {
          return pmctl({"logs", name_, "--nostream", "--lines", "1", "--raw", "--out"}).out ==
                 "flood: done\n";
        },
        std::chrono::seconds(90)));
  }

  std::string name_;
  std::string dir_;
  std::string dropin_;
};

// The issue: 37,500 of 200,000 lines kept (journald's default, 10000 in 30 s times 3.75).
TEST_F(LogFloodTest, KeepsEveryLineOfA200000LineBurstInPmctlLogsAndTheJournal) {
  start_flood(200000);
  wait_done();
  const std::string unit = unit_of(name_);
  EXPECT_EQ(unit_property(unit, "LogRateLimitIntervalUSec"), "1s");
  EXPECT_EQ(unit_property(unit, "LogRateLimitBurst"), "10000000");
  const Result logs = pmctl({"logs", name_, "--nostream", "--lines", "300000", "--raw", "--out"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(count_lines(logs.out, "flood "), 200000u);
  EXPECT_TRUE(logs.out.starts_with("flood 1\n"));  // 2.6 MB: no matcher that would print it
  EXPECT_NE(logs.out.find("\nflood 200000\n"), std::string::npos);
  EXPECT_EQ(count_lines(journal(unit), "flood "), 200000u);
  EXPECT_THAT(logs.err, ::testing::Not(HasSubstr("dropped")));
}

// Where journald still drops (here a limit put back on by hand), pmctl logs says so once, with
// journald's count.
TEST_F(LogFloodTest, ReportsOnceTheLinesJournaldSaysItDropped) {
  start_flood(5000, {}, "1.5");
  wait_done();
  const std::string unit = unit_of(name_);
  dropin_ = "/run/systemd/system/" + unit + ".d";
  fs::create_directories(dropin_);
  std::ofstream(dropin_ + "/zz-test-limit.conf")
      << "[Service]\nLogRateLimitIntervalSec=1s\nLogRateLimitBurst=100\n";
  ASSERT_EQ(sh("systemctl daemon-reload").exit_code, 0);
  ASSERT_EQ(unit_property(unit, "LogRateLimitBurst"), "100");
  // Each run's "done" comes after a pause longer than the interval, so journald takes it and
  // first writes its "Suppressed N messages" entry. Every run is counted on its own, by its
  // invocation ID: the lines it kept and the lines journald says it dropped make its 5000. That
  // journald drops at all is this test's precondition, not what it checks: a run that dropped
  // nothing (seen in CI twice, cause not found: once its 5000 lines were not in the journal at
  // all) is said on stderr and the app restarted, at most three times.
  std::size_t dropped = 0;
  for (int run = 1; dropped == 0 && run <= 3; ++run) {
    ASSERT_EQ(sh("systemctl restart '" + unit + "'").exit_code, 0);
    const std::string id = unit_property(unit, "InvocationID");
    ASSERT_TRUE(eventually(
        [&] {
          return occurrences(sh("journalctl _SYSTEMD_INVOCATION_ID=" + id + " -o cat").out,
                             "flood: done") == 1;
        },
        std::chrono::seconds(60)));
    dropped = journald_dropped("OBJECT_SYSTEMD_INVOCATION_ID=" + id);
    const std::size_t kept =
        count_lines(sh("journalctl _SYSTEMD_INVOCATION_ID=" + id + " -o cat").out, "flood ");
    if (dropped == 0)
      std::cerr << "run " << run << ": journald dropped nothing; rate-limit export: "
                << sh("readlink /run/systemd/units/log-rate-limit-burst:'" + unit + "'").out
                << "lines kept: " << kept << "\n";
    else
      EXPECT_EQ(kept + dropped, 5000u);
  }
  ASSERT_GT(dropped, 0u);
  // pmctl logs reports journald's count for the unit, every run of it.
  dropped = journald_dropped("OBJECT_SYSTEMD_UNIT=" + unit);
  const Result logs = pmctl({"logs", name_, "--nostream", "--lines", "20000", "--raw"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(occurrences(logs.err, "journald dropped"), 1u) << logs.err;
  EXPECT_THAT(logs.err, HasSubstr("journald dropped " + std::to_string(dropped) + " lines of '" +
                                  name_ + "'"));
  // Only the lines shown count: the last one came after the drop (the last of stderr may not).
  const Result last = pmctl({"logs", name_, "--nostream", "--lines", "1", "--raw", "--out"});
  EXPECT_THAT(last.err, ::testing::Not(HasSubstr("dropped"))) << last.err;
}

// journald ends a stream entry at a NUL (_LINE_BREAK=nul); pmctl logs puts the line back together.
TEST_F(LogFloodTest, ShowsANulEscapedInsideItsLineAndExactInJson) {
  start({app_path("nul.sh"), "--name", name_});
  wait_for_line(name_, "nul: last");
  const std::string unit = unit_of(name_);
  EXPECT_THAT(sh("journalctl -u '" + unit + "' _LINE_BREAK=nul -o cat --no-pager").out,
              HasSubstr("nul: a\n"));
  const Result raw = pmctl({"logs", name_, "--nostream", "--raw"});
  EXPECT_EQ(raw.out, "nul: a\\x00b\nnul: bin \xff\xfe end\nnul: done\nnul: last\\x00\n");
  const Result json = pmctl({"logs", name_, "--nostream", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::istringstream in(json.out);
  std::vector<std::string> messages;
  for (std::string line; std::getline(in, line);)
    messages.push_back(nlohmann::json::parse(line)["message"].get<std::string>());
  EXPECT_THAT(messages, ::testing::Contains(std::string("nul: a\0b", 8)));
  EXPECT_THAT(messages, ::testing::Contains(std::string("nul: last\0", 10)));
  // Bytes that are not UTF-8 become U+FFFD in JSON, as in PM2's (a Buffer read as UTF-8).
  EXPECT_THAT(messages, ::testing::Contains(std::string("nul: bin \uFFFD\uFFFD end")));
}

// journal: false: the writer alone batches the lines into the files; nothing in the journal.
TEST_F(LogFloodTest, WithoutTheJournalEveryLineGoesToTheFilesAndNoneToTheJournal) {
  const std::string out = dir_ + "/out.log", err = dir_ + "/err.log";
  start_flood(200000, {"--no-journal", "-o", out, "-e", err});
  ASSERT_TRUE(eventually([&] { return count_lines(read_file(out), "flood: done") == 1; },
                         std::chrono::seconds(60)));
  EXPECT_EQ(count_lines(read_file(out), "flood "), 200000u);
  EXPECT_EQ(read_file(err), "flood: err\n");
  const std::string unit = unit_of(name_);
  EXPECT_THAT(unit_property(unit, "ExecStart"), HasSubstr("--journal no --"));
  EXPECT_EQ(count_lines(journal(unit), "flood"), 0u);
  // The app is the main process (flood.sh has exec'd sleep), the writer its grandchild.
  const std::string pid = unit_property(unit, "MainPID");
  EXPECT_EQ(read_file("/proc/" + pid + "/comm"), "sleep\n");
  const Result logs = pmctl({"logs", name_, "--nostream"});
  EXPECT_THAT(logs.err,
              HasSubstr("writes to files, not the journal (journal: false): " + out + " " + err));
}

TEST_F(LogFloodTest, WithoutTheJournalUndeclaredStreamsGetPm2sFilesInTheStateDir) {
  start_flood(10, {"--no-journal", "--time"});
  const std::string logs = "/var/lib/pmctl/logs/";
  ASSERT_TRUE(eventually([&] {
    return count_lines(read_file(logs + name_ + "-out.log"), "flood: done") == 0 &&
           read_file(logs + name_ + "-out.log").find(": flood: done\n") != std::string::npos;
  }));
  // --time still prefixes each line: the writer formats them, as with the journal.
  EXPECT_THAT(read_file(logs + name_ + "-error.log"),
              ::testing::MatchesRegex("^[0-9-]+T[0-9:]+: flood: err\n$"));
  fs::remove(logs + name_ + "-out.log");
  fs::remove(logs + name_ + "-error.log");
}

// Cluster instances, the balancer's socket and service, and what `pmctl save` writes.
TEST_F(LogFloodTest, ClusterAndSavedUnitsTurnTheLimitUpToo) {
  const Result r =
      pmctl({"start", app_path("http_instance.js"), "--name", name_, "-i", "2", "--port", "17300"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string escaped = sh("systemd-escape '" + name_ + "'").out;
  const std::string lb = "pmctl-" + escaped.substr(0, escaped.size() - 1) + "-lb";
  std::vector<std::string> units = {lb + ".service", lb + ".socket"};
  for (const auto& a : jlist())
    if (a["name"] == name_) units.push_back(a["pm2_env"]["unit"].get<std::string>());
  ASSERT_EQ(pmctl({"save"}).exit_code, 0);
  units.push_back(lb + "-s.service");
  units.push_back(lb + "-s.socket");
  ASSERT_EQ(units.size(), 6u);
  for (const auto& unit : units) {
    EXPECT_EQ(unit_property(unit, "LogRateLimitIntervalUSec"), "1s") << unit;
    EXPECT_EQ(unit_property(unit, "LogRateLimitBurst"), "10000000") << unit;
  }
  pmctl({"delete", "all"});
  pmctl({"cleardump"});
}

}  // namespace
}  // namespace pmctl::test
