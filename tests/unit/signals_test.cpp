#include "core/base/signals.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace pmctl::core {
namespace {

TEST(SignalsTest, ParsesNamesWithOrWithoutSigInAnyCaseAndNumbers) {
  const struct {
    const char* word;
    int signal;
  } cases[] = {
      {"SIGUSR2", SIGUSR2},
      {"USR2", SIGUSR2},
      {"sigusr2", SIGUSR2},
      {"usr1", SIGUSR1},
      {"SIGINT", SIGINT},
      {"TERM", SIGTERM},
      {"SIGHUP", SIGHUP},
      {"SIGKILL", SIGKILL},
      {"SIGIOT", SIGABRT},
      {"SIGCLD", SIGCHLD},
      {"SIGPOLL", SIGIO},
      {"12", 12},
      {"1", 1},
      {"9", 9},
      {"SIGRTMIN", SIGRTMIN},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_signal(c.word), c.signal) << c.word;
  EXPECT_EQ(parse_signal("SIGRTMIN+2"), SIGRTMIN + 2);
  EXPECT_EQ(parse_signal("rtmax-1"), SIGRTMAX - 1);
  EXPECT_EQ(parse_signal(std::to_string(SIGRTMAX)), SIGRTMAX);
}

TEST(SignalsTest, RefusesWhatNamesNoSignal) {
  for (const char* word :
       {"", "0", "SIG", "SIGFOO", "USR3", "-9", "+9", "9x", "1000", "65", "SIGRTMIN+99", "RTMAX+1",
        "RTMIN-1", "RTMIN+", "SIG USR2", " USR2", "SIGSIGUSR2"})
    EXPECT_FALSE(parse_signal(word).has_value()) << "'" << word << "'";
  EXPECT_FALSE(parse_signal(std::to_string(SIGRTMAX + 1)).has_value());
}

TEST(SignalsTest, NamesSignalsTheWayKillDoes) {
  EXPECT_EQ(signal_name(SIGUSR2), "SIGUSR2");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(SIGIO), "SIGIO");
  EXPECT_EQ(signal_name(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(signal_name(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
  for (int n = 1; n <= SIGRTMAX; ++n) EXPECT_EQ(parse_signal(signal_name(n)), n) << n;
}

}  // namespace
}  // namespace pmctl::core
