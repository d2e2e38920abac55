#include "core/base/files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

class FilesTest : public ::testing::Test {
 protected:
  FilesTest() : dir_(fs::temp_directory_path() / ("pmctl-files-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~FilesTest() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FilesTest, AnAtomicWriteReplacesTheFileWithTheModeGivenAndLeavesNoTemporary) {
  write_file_atomically(dir_ / "f", "one", 0600);
  write_file_atomically(dir_ / "f", "two", 0640);
  EXPECT_EQ(read_file(dir_ / "f"), "two");
  struct stat st {};
  ASSERT_EQ(stat((dir_ / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(FilesTest, AMissingFileIsNulloptOrOneErrorLineNamingIt) {
  EXPECT_FALSE(read_file_if_any(dir_ / "missing").has_value());
  try {
    read_file(dir_ / "missing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("missing"));
  }
}

TEST_F(FilesTest, ATryLockHeldElsewhereComesBackEmpty) {
  UniqueFd held = lock_file(dir_ / "lock", LOCK_EX);
  ASSERT_GE(held.get(), 0);
  // flock locks belong to the open file description: a second open in this process conflicts.
  EXPECT_LT(try_lock_file(dir_ / "lock").get(), 0);
  held.reset();
  EXPECT_GE(try_lock_file(dir_ / "lock").get(), 0);
}

}  // namespace
}  // namespace pmctl::core
