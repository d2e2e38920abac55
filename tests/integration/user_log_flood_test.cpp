// Log floods in a user manager: journald limits all of its units together, as user@UID.service,
// by that unit's own setting. pmctl's drop-in (units/user@.service.d/pmctl-log-rate.conf, which
// meson installs) lifts it; what journald still drops, `pmctl --user logs` reports.
// docs/reliability.md, "1. Log floods".
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kManager = "user@0.service";
const std::string kDropInDir = "/run/systemd/system/user@.service.d";

std::size_t count_flood_lines(const std::string& text) {
  std::istringstream in(text);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.starts_with("flood ");
  return n;
}

class UserLogFloodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = unique_name("uflood");
    started_ = sh("date +%s").out;
    started_.pop_back();
  }
  void TearDown() override {
    user({"delete", "all"});
    fs::remove_all(kDropInDir);
    sh("systemctl daemon-reload && systemctl restart " + kManager);
  }
  Result user(const std::vector<std::string>& args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv{"--user"};
    argv.insert(argv.end(), args.begin(), args.end());
    env.push_back("XDG_RUNTIME_DIR=/run/user/0");
    return pmctl(argv, env);
  }
  /// Puts `file` with `text` into user@.service's drop-ins and starts the manager again, which
  /// is when it hands its limit to journald.
  void drop_in(const std::string& file, const std::string& text) {
    fs::create_directories(kDropInDir);
    std::ofstream(kDropInDir + "/" + file) << text;
    ASSERT_EQ(sh("systemctl daemon-reload && systemctl restart " + kManager).exit_code, 0);
  }
  void flood(int lines, const std::string& pause) {
    const Result r = user({"start", app_path("flood.sh"), "--name", name_},
                          {"FLOOD_LINES=" + std::to_string(lines), "FLOOD_PAUSE=" + pause});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(eventually(
        [&] {
          return user({"logs", name_, "--nostream", "--lines", "1", "--raw", "--out"}).out ==
                 "flood: done\n";
        },
        std::chrono::seconds(90)));
  }
  std::string unit() {
    const auto list = nlohmann::json::parse(user({"jlist"}).out);
    for (const auto& a : list)
      if (a["name"] == name_) return a["pm2_env"]["unit"];
    return "";
  }

  std::string name_;
  std::string started_;  // epoch seconds
};

TEST_F(UserLogFloodTest, ShippedDropInKeepsEveryLineOfA200000LineBurst) {
  std::ifstream shipped(std::string(PMCTL_UNITS_DIR) + "/user@.service.d/pmctl-log-rate.conf");
  ASSERT_TRUE(shipped.good());
  std::ostringstream text;
  text << shipped.rdbuf();
  drop_in("pmctl-log-rate.conf", text.str());
  ASSERT_EQ(unit_property(kManager, "LogRateLimitBurst"), "10000000");
  flood(200000, "0");
  const Result logs = user({"logs", name_, "--nostream", "--lines", "300000", "--raw", "--out"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(count_flood_lines(logs.out), 200000u);
  EXPECT_EQ(
      count_flood_lines(sh("journalctl _SYSTEMD_USER_UNIT='" + unit() + "' -o cat --no-pager").out),
      200000u);
  EXPECT_THAT(logs.err, ::testing::Not(HasSubstr("dropped")));
}

// A limit put back (1 s, 100 lines) stands for journald's default, which a manager without the
// drop-in has: pmctl --user logs says what journald dropped, with journald's count.
TEST_F(UserLogFloodTest, ReportsWhatJournaldDroppedForTheUserManager) {
  drop_in("zz-test-limit.conf", "[Service]\nLogRateLimitIntervalSec=1s\nLogRateLimitBurst=100\n");
  // "done" comes after a pause longer than the interval: journald takes it and first writes its
  // "Suppressed N messages" entry. Once in CI (never here) journald dropped nothing of a run
  // right after the manager's restart, as if it had not yet taken the manager's new limit: that
  // run cannot show what the test is about, so it is deleted and a new app floods again.
  std::size_t dropped = 0;
  for (int attempt = 0; attempt < 3 && dropped == 0; ++attempt) {
    if (attempt > 0) {
      const std::size_t kept = count_flood_lines(
          user({"logs", name_, "--nostream", "--lines", "20000", "--raw", "--out"}).out);
      std::cerr << "journald dropped nothing of run " << attempt << " (" << kept
                << " lines kept); flooding again\n";
      user({"delete", name_});
      name_ = unique_name("uflood");
      started_ = sh("date +%s").out;
      started_.pop_back();
    }
    flood(5000, "1.5");
    const Result n =
        sh("journalctl --since @" + started_ +
           " MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e OBJECT_SYSTEMD_UNIT=" + kManager +
           " -o export --no-pager | sed -n 's/^N_DROPPED=//p' | "
           "awk '{s+=$1} END {print s+0}'");
    dropped = std::stoul(n.out);
  }
  ASSERT_GT(dropped, 0u);
  const Result logs = user({"logs", name_, "--nostream", "--lines", "20000", "--raw", "--out"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  const std::size_t kept = count_flood_lines(logs.out);
  EXPECT_LT(kept, 5000u);
  // The manager's own lines share the limit: at most a few of the dropped are not the app's.
  EXPECT_GE(kept + dropped, 5000u);
  EXPECT_LE(kept + dropped, 5010u);
  EXPECT_THAT(logs.err, HasSubstr("journald dropped " + std::to_string(dropped) + " lines of '" +
                                  kManager + "'"));
  EXPECT_THAT(logs.err, HasSubstr("pmctl-log-rate.conf"));
}

}  // namespace
}  // namespace pmctl::test
