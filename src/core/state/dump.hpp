#pragma once

// `pmctl save`'s record of the apps (PM2's dump.pm2): every instance's declaration, id,
// environment and whether it was stopped, as JSON in the state directory, mode 0600 (the
// environments may hold secrets). The previous dump is kept as dump.json.bak.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/units/boot_units.hpp"

namespace pmctl::core {

inline constexpr int kDumpVersion = 1;

std::filesystem::path dump_path(const std::filesystem::path& state_dir);  ///< <state>/dump.json
std::filesystem::path dump_bak_path(
    const std::filesystem::path& state_dir);  ///< <state>/dump.json.bak

/// The dump's text: {"version": 1, "apps": [<record with "env" and "stopped">, ...]}, pretty.
std::string dump_text(const std::vector<BootApp>& apps);
/// Parses a dump; throws Error when it is not one.
std::vector<BootApp> parse_dump(const std::string& text);

/// Replaces the dump: the current one becomes dump.json.bak first (PM2's rotation).
void write_dump(const std::filesystem::path& state_dir, const std::vector<BootApp>& apps);

/// What a dump read found, and from where.
struct DumpRead {
  std::vector<BootApp> apps;
  std::filesystem::path from;  ///< dump.json or dump.json.bak
  std::string problem;         ///< why dump.json was not used ("" when it was)
};

/// PM2's resurrect rule: dump.json, else dump.json.bak. A dump.json that cannot be parsed is
/// removed (as PM2 does) and the backup used. nullopt when neither can be read.
std::optional<DumpRead> read_dump(const std::filesystem::path& state_dir);
/// <state>/saved/units: the files the last save wrote to the unit directory, one name a line.
std::filesystem::path saved_manifest_path(const std::filesystem::path& state_dir);
/// Those names (none when nothing was saved).
std::vector<std::string> saved_unit_names(const std::filesystem::path& state_dir);

/// dump.json's apps, or none when it is missing or not a dump; never falls back, never removes.
std::vector<BootApp> read_dump_quietly(const std::filesystem::path& state_dir);

}  // namespace pmctl::core
