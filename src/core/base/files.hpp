#pragma once
// Whole files: read, written atomically, locked. The one place core touches file contents
// byte by byte; everything else goes through these.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/types/unique_fd.hpp"

namespace pmctl::core {

/// Throws core::Error "cannot <action> '<path>': <strerror(err)>", with a hint that fits err.
[[noreturn]] void throw_io(const std::string& action, const std::filesystem::path& path, int err);

/// The whole file; throws core::Error when it cannot be read.
std::string read_file(const std::filesystem::path& path);
/// The whole file, or nullopt when it is missing or cannot be read.
std::optional<std::string> read_file_if_any(const std::filesystem::path& path);

/// Writes `content` to a unique temporary file beside `path` with `mode`, syncs it and renames
/// it over `path`: readers see the old file or the new one, never a part.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           unsigned mode);

/// Creates `dir` with mode 0700; one that exists already is fine.
void make_private_dir(const std::filesystem::path& dir);
/// Removes `path`; one that is missing already is fine.
void remove_if_present(const std::filesystem::path& path);

/// Opens (creating, 0600 unless given) and flocks `path` with `operation` (LOCK_SH, LOCK_EX),
/// waiting for it; the lock goes with the descriptor.
UniqueFd lock_file(const std::filesystem::path& path, int operation, unsigned mode = 0600);
/// The same without waiting: an empty UniqueFd when another process holds it.
UniqueFd try_lock_file(const std::filesystem::path& path, unsigned mode = 0644);

}  // namespace pmctl::core
