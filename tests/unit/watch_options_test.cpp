// pmctl-watch's command line (src/watch/options.hpp) and when it acts on a burst of changes
// (src/watch/coalesce.hpp).
#include <gtest/gtest.h>

#include "watch/coalesce.hpp"
#include "watch/options.hpp"

namespace pmctl::watch {
namespace {

using std::chrono::milliseconds;

TEST(WatchOptions, TakesEverythingTheUnitMappingPasses) {
  std::string why;
  const auto o =
      parse_options({"--pmctl", "/usr/bin/pmctl", "--name", "web", "--action", "reload", "--user",
                     "--path", "/srv/web/", "--path", "/etc/web.json", "--ignore", "logs",
                     "--ignore", "*.log", "--delay-ms", "1500", "--follow-symlinks"},
                    why);
  ASSERT_TRUE(o) << why;
  EXPECT_EQ(o->pmctl, "/usr/bin/pmctl");
  EXPECT_EQ(o->name, "web");
  EXPECT_EQ(o->action, "reload");
  EXPECT_TRUE(o->user);
  EXPECT_EQ(o->paths, (std::vector<std::string>{"/srv/web", "/etc/web.json"}));
  EXPECT_EQ(o->ignores, (std::vector<std::string>{"logs", "*.log"}));
  EXPECT_EQ(o->delay_ms, 1500u);
  EXPECT_TRUE(o->follow_symlinks);
}

TEST(WatchOptions, DefaultsToNoDelayNoSymlinksAndPm2sIgnores) {
  std::string why;
  const auto o = parse_options(
      {"--pmctl", "/p", "--name", "-odd-", "--action", "restart", "--path", "/"}, why);
  ASSERT_TRUE(o) << why;
  EXPECT_EQ(o->name, "-odd-");
  EXPECT_EQ(o->paths, std::vector<std::string>{"/"});
  EXPECT_TRUE(o->ignores.empty());
  EXPECT_EQ(o->delay_ms, 0u);
  EXPECT_FALSE(o->follow_symlinks);
  EXPECT_FALSE(o->user);
}

TEST(WatchOptions, RefusesWhatItCannotUse) {
  const std::vector<std::string> ok = {"--pmctl",  "/p",      "--name", "w",
                                       "--action", "restart", "--path", "/srv"};
  const auto with = [&](std::vector<std::string> extra) {
    auto args = ok;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "--pmctl, --name, --action and --path are required"},
      {{"--pmctl", "/p", "--name", "w", "--action", "restart"},
       "--pmctl, --name, --action and --path are required"},
      {{"--pmctl", "/p", "--name", "w", "--path", "/srv"},
       "--pmctl, --name, --action and --path are required"},
      {with({"--action", "stop"}), "bad option '--action stop'"},
      {with({"--pmctl", "pmctl"}), "bad option '--pmctl pmctl'"},
      {with({"--path", "src"}), "bad option '--path src'"},
      {with({"--delay-ms", "1s"}), "bad option '--delay-ms 1s'"},
      {with({"--delay-ms", "-5"}), "bad option '--delay-ms -5'"},
      {with({"--ignore", ""}), "bad option '--ignore '"},
      {with({"--name", ""}), "bad option '--name '"},
      {with({"--ignore"}), "--ignore needs a value"},
      {with({"--watch", "x"}), "unknown option '--watch'"},
      {with({"stray"}), "unexpected argument 'stray'"},
  };
  for (const auto& [args, expected] : cases) {
    std::string why;
    EXPECT_FALSE(parse_options(args, why)) << expected;
    EXPECT_EQ(why, expected);
  }
}

Clock::time_point at(int ms) { return Clock::time_point(milliseconds(ms)); }

TEST(WatchCoalesce, WaitsForTheDelayAndForFiftyQuietMillisecondsAtMostASecondMore) {
  const struct {
    int first, last, delay, fires;
  } cases[] = {
      {1000, 1000, 0, 1050},     // one event: 50 ms
      {1000, 1030, 0, 1080},     // a save of several events: 50 ms after the last
      {1000, 1000, 300, 1300},   // watch_delay
      {1000, 1290, 300, 1340},   // events until the delay is over: 50 ms quiet after them
      {1000, 1100, 300, 1300},   // quiet long before the delay ends
      {1000, 5000, 0, 2000},     // a file written without a pause: a second at most
      {1000, 9000, 2000, 4000},  // watch_delay + a second at most
      {1000, 1000, 20, 1050},    // never less than 50 ms
  };
  for (const auto& c : cases) {
    Batch b;
    b.add(at(c.first), "a.js");
    b.add(at(c.last), "b.js");
    EXPECT_EQ(fire_at(b, milliseconds(c.delay)), at(c.fires))
        << c.first << " " << c.last << " " << c.delay;
  }
}

TEST(WatchCoalesce, KeepsTheFirstPathAndCountsEveryEvent) {
  Batch b;
  EXPECT_TRUE(b.empty());
  b.add(at(10), "src/a.js", 0);  // a read that found only ignored events
  EXPECT_TRUE(b.empty());
  b.add(at(20), "src/a.js", 3);
  b.add(at(40), "src/b.js");
  EXPECT_EQ(b.events, 4u);
  EXPECT_EQ(b.first_path, "src/a.js");
  EXPECT_EQ(b.first, at(20));
  EXPECT_EQ(b.last, at(40));
}

}  // namespace
}  // namespace pmctl::watch
