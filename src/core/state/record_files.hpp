#pragma once

// One file per app instance, <state>/apps/<id>.json: its AppRecord without the environment
// (that is env/<id>.json). Registry::update writes the records that changed, so registry.json
// is not the only copy of the declarations: when it is damaged or gone, the apps, their ids and
// their declarations are still here (core/lifecycle/recovery rebuilds the registry from them
// and the live units).

#include <filesystem>
#include <optional>
#include <vector>

#include "core/model/app_record.hpp"

namespace pmctl::core {

/// <state>/apps/<id>.json
std::filesystem::path record_file(const std::filesystem::path& state_dir, int id);

/// Writes the record file of every app of `data` that differs from `before` (environments
/// aside) or has none yet, and removes those of the apps `before` has and `data` does not.
void write_record_files(const std::filesystem::path& state_dir, const RegistryData& before,
                        const RegistryData& data);

/// The ids that have a record file (the directory is listed; no file is read).
std::vector<int> record_file_ids(const std::filesystem::path& state_dir);
/// One record file; nullopt when it cannot be read or parsed, or names another id.
std::optional<AppRecord> read_record_file(const std::filesystem::path& state_dir, int id);

/// What the record files hold, by id; a file that cannot be read or parsed is left out and
/// named in `unreadable`.
struct RecordFiles {
  std::vector<AppRecord> records;
  std::vector<std::filesystem::path> unreadable;
};
RecordFiles read_record_files(const std::filesystem::path& state_dir);

}  // namespace pmctl::core
