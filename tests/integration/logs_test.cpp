// pmctl logs and flush read journald, and journalctl agrees with them.
#include <gmock/gmock.h>

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
      lines_of(pmctl({"logs", name_, "--nostream", "--lines", "2", "--raw", "--timestamp"}).out);
  ASSERT_EQ(lines.size(), 2u);
  const std::regex stamped(R"(^\d{4}-\d{2}-\d{2}-\d{2}:\d{2}:\d{2} server: .*)");
  for (const auto& line : lines) EXPECT_TRUE(std::regex_match(line, stamped)) << line;
}

TEST_F(LogsTest, LinesLimitsTheTail) {
  const Result r = pmctl({"logs", name_, "--nostream", "--lines", "3", "--raw"});
  EXPECT_EQ(lines_of(r.out).size(), 3u) << r.out;
  EXPECT_TRUE(pmctl({"logs", name_, "--nostream", "--lines", "0", "--raw"}).out.empty());
}

TEST_F(LogsTest, JsonLinesHavePm2sFields) {
  const Result r = pmctl({"logs", name_, "--nostream", "--lines", "4", "--json"});
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4u);
  for (const auto& line : lines) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_THAT(j["message"].get<std::string>(), ::testing::StartsWith("server: "));
    EXPECT_TRUE(j["type"] == "out" || j["type"] == "err");
    EXPECT_EQ(j["app_name"], name_);
    EXPECT_EQ(j["process_id"], app(name_)["pm_id"]);
    EXPECT_FALSE(j["timestamp"].get<std::string>().empty());
  }
}

TEST_F(LogsTest, JournalctlShowsTheSameLines) {
  const std::string unit = unit_of(name_);
  pmctl({"stop", name_});  // freeze the log so both reads see the same end
  const auto ours = lines_of(pmctl({"logs", name_, "--nostream", "--lines", "6", "--raw"}).out);
  const auto theirs = lines_of(
      sh("journalctl -u '" + unit + "' _SYSTEMD_UNIT='" + unit + "' -o cat -n 6 --no-pager").out);
  EXPECT_EQ(ours, theirs);
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

}  // namespace
}  // namespace pmctl::test
