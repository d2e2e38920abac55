#include "core/state/startup_record.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/base/files.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

TEST(StartupRecord, IsReadBackAsWrittenAndADamagedOneCountsAsNothingDone) {
  const fs::path dir = fs::temp_directory_path() / ("pmctl-startup-" + std::to_string(getpid()));
  EXPECT_FALSE(read_startup_record(dir).target_created);
  write_startup_record(dir, {.target_created = true, .linger_enabled = false});
  EXPECT_TRUE(read_startup_record(dir).target_created);
  EXPECT_FALSE(read_startup_record(dir).linger_enabled);
  write_file_atomically(startup_record_path(dir), "{not json", 0600);
  EXPECT_FALSE(read_startup_record(dir).target_created);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pmctl::core
