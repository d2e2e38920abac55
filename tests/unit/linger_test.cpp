#include "core/base/linger.hpp"

#include <gtest/gtest.h>

namespace pmctl::core {
namespace {

TEST(LingerTest, AUserWithoutALingerFileDoesNotLinger) {
  EXPECT_FALSE(user_lingers("pmctl-no-such-user-lingers"));
}

TEST(LingerTest, NamesThatAreNotFileNamesInTheLingerDirNeverLinger) {
  EXPECT_FALSE(user_lingers(""));
  EXPECT_FALSE(user_lingers("."));  // the directory itself exists
  EXPECT_FALSE(user_lingers(".."));
  EXPECT_FALSE(user_lingers("../linger"));
}

}  // namespace
}  // namespace pmctl::core
