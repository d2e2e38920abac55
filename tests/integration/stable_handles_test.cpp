// Stable handles for operators: the commands `pmctl show` prints for an app and an instance keep
// working after a reload (which moves every instance to its other unit name), as systemctl and
// journalctl take them. The same after a reboot: tests/reboot, RebootTest.StableHandlesAfterABoot.
// docs/usage.md, "Stable handles".
#include <gmock/gmock.h>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class StableHandlesTest : public PmctlTest {};

TEST_F(StableHandlesTest, ThePrintedCommandsFollowTheAppAndItsInstancesAcrossAReload) {
  ASSERT_EQ(
      pmctl({"start", app_path("greet.sh"), "-i", "2", "--name", "sth"}, {"GREETING=x"}).exit_code,
      0);
  wait_for_line("sth", "greeting=x");
  const std::string show = pmctl({"show", "sth"}).out;
  const std::string whole = show_cell(show, "app, stable");
  const std::string logs = show_cell(show, "app logs, stable");
  const std::string instance = show_cell(show, "instance, stable");
  const std::string instance_logs = show_cell(show, "instance logs, stable");
  ASSERT_EQ(whole, "systemctl status|stop|restart 'pmctl-sth.slice'") << show;
  ASSERT_FALSE(instance.empty()) << show;
  const auto with = [&](const std::string& verb) {
    return "systemctl " + verb + whole.substr(whole.find(' ', whole.find(' ') + 1));
  };
  const std::string before = unit_of("sth");
  ASSERT_EQ(pmctl({"reload", "sth"}).exit_code, 0);
  ASSERT_NE(unit_of("sth"), before);  // the unit name moved

  const Result status = sh(with("status") + " --no-pager");
  EXPECT_EQ(status.exit_code, 0) << status.out;
  for (const auto& row : jlist()) EXPECT_THAT(status.out, HasSubstr(row["pm2_env"]["unit"]));
  // Both instances' lines, from before the reload and after it.
  EXPECT_EQ(occurrences(sh(logs + " -o cat --no-pager").out, "greeting=x"), 4u);
  const Result one = sh(instance + " --no-pager");
  EXPECT_EQ(one.exit_code, 0) << one.out;
  EXPECT_THAT(one.out, HasSubstr(unit_of("sth")));
  EXPECT_THAT(one.out, ::testing::Not(HasSubstr("could not be found")));
  EXPECT_EQ(occurrences(sh(instance_logs + " -o cat --no-pager").out, "greeting=x"), 2u);

  // restart and stop of the app's slice reach every instance, whatever its unit.
  const int pid = app("sth")["pid"];
  ASSERT_EQ(sh(with("restart")).exit_code, 0);
  EXPECT_TRUE(eventually([&] {
    for (const auto& row : jlist())
      if (row["pm2_env"]["status"] != "online" || row["pid"] == pid) return false;
    return true;
  }));
  ASSERT_EQ(sh(with("stop")).exit_code, 0);
  EXPECT_TRUE(eventually([&] {
    for (const auto& row : jlist())
      if (row["pm2_env"]["status"] != "stopped") return false;
    return true;
  }));
}

}  // namespace
}  // namespace pmctl::test
