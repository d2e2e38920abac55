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

// A field of another type threw nlohmann's type_error out of startup and unstartup
// (tests/fuzz/corpus/startup/wrong-type.json).
TEST(StartupRecord, AFieldOfAnotherTypeCountsAsFalse) {
  const fs::path dir =
      fs::temp_directory_path() / ("pmctl-startup-types-" + std::to_string(getpid()));
  fs::create_directories(dir);
  write_file_atomically(startup_record_path(dir),
                        R"({"target_created": "yes", "linger_enabled": true})", 0600);
  const StartupRecord record = read_startup_record(dir);
  EXPECT_FALSE(record.target_created);
  EXPECT_TRUE(record.linger_enabled);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pmctl::core
