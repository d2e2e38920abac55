#pragma once
// What `pmctl startup` did, so that `pmctl unstartup` undoes exactly that: <state>/startup.json.

#include <filesystem>

namespace pmctl::core {

struct StartupRecord {
  bool target_created = false;  ///< startup wrote pmctl.target (no save had)
  bool linger_enabled = false;  ///< startup turned lingering on for the user
};

std::filesystem::path startup_record_path(const std::filesystem::path& state_dir);
/// The record; all false when there is none or it cannot be read.
StartupRecord read_startup_record(const std::filesystem::path& state_dir);
void write_startup_record(const std::filesystem::path& state_dir, const StartupRecord& record);

}  // namespace pmctl::core
