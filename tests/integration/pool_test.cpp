// Worker pools: `-i N` (or `instances` in a file) without a public port runs N instances of any
// program, each its own unit with its NODE_APP_INSTANCE, no balancer. A reload is rolling and
// never has fewer than N-1 running; scale works; a queue worker loses no job across either.
// docs/usage.md, "Worker pools".
#include <gmock/gmock.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PoolTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    queue_ = "/var/tmp/" + unique_name("pmctl-queue");
    fs::remove_all(queue_);
    fs::create_directories(queue_ + "/new");
    fs::create_directories(queue_ + "/tmp");
  }
  void TearDown() override {
    sh("touch '" + queue_ + "/stop'");
    // The background writers end before their folder goes: one still appending while it is
    // removed made remove_all fail ("Directory not empty") under CI's load.
    if (sampling_) eventually([&] { return fs::exists(queue_ + "/sampled"); });
    if (producing_) eventually([&] { return fs::exists(queue_ + "/produced"); });
    PmctlTest::TearDown();
    std::error_code ec;
    for (int i = 0; i < 50 && fs::remove_all(queue_, ec) == static_cast<std::uintmax_t>(-1); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(fs::exists(queue_)) << ec.message();
  }

  /// Writes jobs 1..n into the queue in the background, one every 10 ms.
  void produce(int n) {
    producing_ = true;
    sh("setsid sh -c 'q=$1; for i in $(seq 1 " + std::to_string(n) +
       "); do echo $i > $q/tmp/$i && mv $q/tmp/$i $q/new/$i; sleep 0.01; done; touch $q/produced' "
       "sh '" +
       queue_ + "' >/dev/null 2>&1 &");
  }
  /// Samples how many units of app `name` are active, every 20 ms, until TearDown or `stop`.
  void sample(const std::string& name) {
    sampling_ = true;
    sh("setsid sh -c 'while [ ! -e $1/stop ]; do systemctl list-units --plain --no-legend "
       "--state=active \"pmctl-$2-*.service\" | grep -vc -- -lb >> $1/counts; sleep 0.02; done; "
       "touch $1/sampled' "
       "sh '" +
       queue_ + "' '" + name + "' >/dev/null 2>&1 &");
  }
  std::vector<int> counts() {
    std::vector<int> out;
    std::istringstream in(read_file(queue_ + "/counts"));
    for (int n; in >> n;) out.push_back(n);
    return out;
  }
  /// Waits until every job is done; each must have been done exactly once.
  void expect_every_job_done_once(int n) {
    ASSERT_TRUE(eventually(
        [&] {
          return fs::exists(queue_ + "/produced") && fs::is_empty(queue_ + "/new") &&
                 static_cast<int>(std::distance(fs::directory_iterator(queue_ + "/done"),
                                                fs::directory_iterator())) == n;
        },
        std::chrono::seconds(60)))
        << sh("ls " + queue_ + "/new " + queue_ + "/claimed | head").out;
    int twice = 0;
    for (int i = 1; i <= n; ++i) {
      const std::string done = read_file(queue_ + "/done/" + std::to_string(i));
      twice += std::count(done.begin(), done.end(), '\n') != 1;
    }
    EXPECT_EQ(twice, 0);
    // A worker removes its claim just after it writes the result.
    EXPECT_TRUE(eventually([&] { return fs::is_empty(queue_ + "/claimed"); }))
        << sh("cd " + queue_ + " && for f in claimed/*; do echo $f; cat done/${f##*-}; done").out
        << sh("journalctl -o cat --no-pager _PID=1 | grep -E 'pmctl-q' | tail -40").out;
  }
  std::vector<std::string> units_of(const std::string& name) {
    std::vector<std::string> out;
    for (const auto& row : jlist())
      if (row["name"] == name) out.push_back(row["pm2_env"]["unit"]);
    return out;
  }

  std::string queue_;
  bool sampling_ = false;
  bool producing_ = false;
};

TEST_F(PoolTest, RunsNWorkersOfAnyProgramWithoutAPortAndReloadsAndScalesWithoutLosingAJob) {
  const Result r = pmctl({"start", app_path("queue_worker.sh"), "-i", "3", "--name", "qpool"},
                         {"QUEUE=" + queue_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("a pool: no public port"));
  std::set<int> instances;
  for (const auto& row : jlist()) {
    EXPECT_EQ(row["pm2_env"]["exec_mode"], "fork_mode");  // PM2: other languages run in fork mode
    EXPECT_EQ(row["pm2_env"]["status"], "online");
    instances.insert(row["pm2_env"]["NODE_APP_INSTANCE"].get<int>());
  }
  EXPECT_EQ(instances, (std::set<int>{0, 1, 2}));
  EXPECT_EQ(unit_property("pmctl-qpool-lb.socket", "LoadState"), "not-found");
  wait_for_line("qpool", "worker 2 up");

  sample("qpool");
  produce(400);
  const std::vector<std::string> before = units_of("qpool");
  const Result reload = pmctl({"reload", "qpool"});
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  for (const auto& unit : units_of("qpool"))
    EXPECT_EQ(std::count(before.begin(), before.end(), unit), 0) << unit;  // every one replaced
  const std::vector<int> during = counts();
  ASSERT_FALSE(during.empty());
  EXPECT_GE(*std::min_element(during.begin(), during.end()), 2);  // never fewer than N-1

  ASSERT_EQ(pmctl({"scale", "qpool", "5"}).exit_code, 0);
  EXPECT_EQ(units_of("qpool").size(), 5u);
  for (const auto& row : jlist())  // the new ones too have the app's own environment
    EXPECT_EQ(row["pm2_env"]["env"]["QUEUE"], queue_) << row["pm_id"];
  ASSERT_EQ(pmctl({"scale", "qpool", "2"}).exit_code, 0);
  EXPECT_EQ(units_of("qpool").size(), 2u);
  expect_every_job_done_once(400);
  // The done files say which instance did each job: more than one worked.
  std::set<std::string> workers;
  for (const auto& entry : fs::directory_iterator(queue_ + "/done"))
    workers.insert(read_file(entry.path()).substr(0, read_file(entry.path()).find(' ')));
  EXPECT_GT(workers.size(), 1u);
}

TEST_F(PoolTest, AnEcosystemPoolInForkModeAndAForkAppScaledLikePm2) {
  const std::string file = queue_ + "/ecosystem.config.json";
  std::ofstream(file) << R"({"apps": [{"name": "qeco", "script": ")" + app_path("queue_worker.sh") +
                             R"(", "exec_mode": "fork", "instances": 2,
                             "env": {"PORT": "17480", "QUEUE": ")" +
                             queue_ + R"("}}]})";
  const Result r = pmctl({"start", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(units_of("qeco").size(), 2u);
  for (const auto& row : jlist()) {
    EXPECT_EQ(row["pm2_env"]["exec_mode"], "fork_mode");
    EXPECT_EQ(row["pm2_env"]["env"]["PORT"], "17480");  // its own PORT: no balancer takes it
  }
  EXPECT_EQ(unit_property("pmctl-qeco-lb.socket", "LoadState"), "not-found");

  // A fork app scales as in PM2: its copies run beside it.
  ASSERT_EQ(pmctl({"start", app_path("queue_worker.sh"), "--name", "qsolo"}, {"QUEUE=" + queue_})
                .exit_code,
            0);
  ASSERT_EQ(pmctl({"scale", "qsolo", "3"}).exit_code, 0);
  EXPECT_EQ(units_of("qsolo").size(), 3u);
  EXPECT_TRUE(eventually([&] {
    for (const auto& row : jlist())
      if (row["name"] == "qsolo" && row["pm2_env"]["status"] != "online") return false;
    return true;
  }));
  produce(100);
  expect_every_job_done_once(100);
}

// Applying a file again converges: a changed `instances` scales, then the rest restart or
// reload, and the summary names each app with what happened to it.
TEST_F(PoolTest, ApplyingAFileWithOtherInstancesScalesAndSaysWhatHappenedToEachApp) {
  const std::string file = queue_ + "/ecosystem.config.json";
  const auto write = [&](int workers, int solo) {
    std::ofstream(file) << R"({"apps": [{"name": "qconv", "script": ")" +
                               app_path("queue_worker.sh") + R"(", "instances": )" +
                               std::to_string(workers) + R"(, "env": {"QUEUE": ")" + queue_ +
                               R"("}}, {"name": "qone", "script": ")" +
                               app_path("queue_worker.sh") + R"(", "instances": )" +
                               std::to_string(solo) + R"(, "env": {"QUEUE": ")" + queue_ +
                               R"("}}]})";
  };
  write(2, 1);
  Result r = pmctl({"start", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("qconv: started"));
  EXPECT_THAT(r.out, HasSubstr("qone: started"));
  produce(150);
  write(3, 2);
  r = pmctl({"reload", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("qconv: scaled 2->3, reloaded"));
  EXPECT_THAT(r.out, HasSubstr("qone: scaled 1->2, reloaded"));  // a fork app becomes a pool
  EXPECT_EQ(units_of("qconv").size(), 3u);
  EXPECT_EQ(units_of("qone").size(), 2u);
  write(1, 2);
  r = pmctl({"start", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("qconv: scaled 3->1, restarted"));
  EXPECT_THAT(r.out, HasSubstr("qone: restarted"));
  EXPECT_EQ(units_of("qconv").size(), 1u);
  expect_every_job_done_once(150);
}

}  // namespace
}  // namespace pmctl::test
