// PM2's exponential back-off (×1.5, capped at 15 s) on systemd 252, which has no RestartSteps.
#include <sstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

std::vector<long long> start_times(const std::string& name) {
  std::vector<long long> times;
  std::istringstream in(pmctl({"logs", name, "--nostream", "--raw", "--lines", "100"}).out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("crash: start ", 0) == 0) times.push_back(std::stoll(line.substr(13)));
  return times;
}

TEST_F(PmctlTest, ExpBackoffDelaysGrowLikePm2) {
  const std::string name = unique_name("backoff");
  ASSERT_EQ(
      pmctl({"start", app_path("crash.js"), "--name", name, "--exp-backoff-restart-delay", "100"})
          .exit_code,
      0);
  EXPECT_TRUE(eventually([&] { return status_of(name) == "waiting restart"; }));
  ASSERT_TRUE(eventually([&] { return start_times(name).size() >= 7; }, std::chrono::seconds(20)));
  const auto times = start_times(name);
  // PM2's sequence for 100: 100, 150, 225, 337, 505, 757 ms between runs (plus node's start-up).
  const std::vector<long long> delays{100, 150, 225, 337, 505, 757};
  for (std::size_t i = 0; i < delays.size(); ++i) {
    const long long gap = times[i + 1] - times[i];
    EXPECT_GE(gap, delays[i]) << "gap " << i;
    EXPECT_LT(gap, delays[i] + 600) << "gap " << i;
  }
  // A manual restart resets the back-off: the next run starts without delay.
  EXPECT_EQ(pmctl({"restart", name}).exit_code, 0);
}

}  // namespace
}  // namespace pmctl::test
