#pragma once

#include <gtest/gtest.h>

#include "harness.hpp"

namespace pmctl::test {

/// Every integration test starts and ends with an empty registry and no pmctl units.
class PmctlTest : public ::testing::Test {
 protected:
  void SetUp() override { pmctl({"delete", "all"}); }
  void TearDown() override { pmctl({"delete", "all"}); }

  /// Starts an app and asserts it worked; returns its pm_id.
  int start(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"start"};
    argv.insert(argv.end(), args.begin(), args.end());
    const Result r = pmctl(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code;
  }

  /// Waits until the app has printed `line` (so it has set up its signal handlers).
  void wait_for_line(const std::string& name, const std::string& line) {
    ASSERT_TRUE(eventually([&] {
      return pmctl({"logs", name, "--nostream", "--raw"}).out.find(line) != std::string::npos;
    })) << name
        << " never printed " << line;
  }

  std::string unit_of(const std::string& name) {
    const auto a = app(name);
    return a.is_null() ? "" : a["pm2_env"]["unit"].get<std::string>();
  }
};

}  // namespace pmctl::test
