#include "core/base/on_failure.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace pmctl::core {
namespace {

TEST(OnFailure, RunsOnlyWhenTheScopeIsLeftByAnException) {
  int undone = 0;
  {
    const OnFailure undo([&] { ++undone; });
  }
  EXPECT_EQ(undone, 0);
  try {
    const OnFailure undo([&] { ++undone; });
    throw std::runtime_error("step failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(undone, 1);
}

TEST(OnFailure, AFailingUndoDoesNotReplaceTheErrorThatCausedIt) {
  try {
    const OnFailure undo([] { throw std::logic_error("undo failed"); });
    throw std::runtime_error("step failed");
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "step failed");
  }
}

TEST(OnFailure, QuietlyDropsWhatAStepThrows) {
  bool after = false;
  quietly([] { throw std::runtime_error("x"); });
  quietly([&] { after = true; });
  EXPECT_TRUE(after);
}

}  // namespace
}  // namespace pmctl::core
