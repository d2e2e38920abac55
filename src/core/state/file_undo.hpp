#pragma once

// A group of file changes that can be taken back: each file is read (content and mode) before it
// is first replaced or removed, and roll_back() puts every one back as it was, newest first.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pmctl::core {

class FileUndo {
 public:
  /// Reads `path` once (nothing if missing). Throws Error when it is there but not a file.
  void remember(const std::filesystem::path& path);
  /// remember, then an atomic write (parent directories created).
  void write(const std::filesystem::path& path, const std::string& text, unsigned mode);
  /// remember, then remove.
  void remove(const std::filesystem::path& path);
  /// Every remembered file as it was: its old content and mode, or absent again.
  void roll_back() noexcept;

 private:
  struct Before {
    std::filesystem::path path;
    std::optional<std::string> content;
    unsigned mode = 0644;
  };
  std::vector<Before> before_;
};

/// A regular file's content; nullopt when missing. Throws Error when `path` is something else
/// (a directory): a save cannot replace it.
std::optional<std::string> read_regular_file(const std::filesystem::path& path);

}  // namespace pmctl::core
