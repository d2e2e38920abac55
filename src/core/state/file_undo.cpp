#include "core/state/file_undo.hpp"

#include "core/base/files.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {

namespace fs = std::filesystem;

std::optional<std::string> read_regular_file(const fs::path& path) {
  std::error_code ec;
  const auto type = fs::status(path, ec).type();
  if (type == fs::file_type::not_found) return std::nullopt;
  if (type != fs::file_type::regular)
    throw Error("cannot replace '" + path.string() + "': it is not a file",
                "move it out of the way, then try again");
  return read_file(path);
}

void FileUndo::remember(const fs::path& path) {
  for (const auto& b : before_)
    if (b.path == path) return;
  Before b{path, read_regular_file(path), 0644};
  std::error_code ec;
  if (b.content)
    b.mode = static_cast<unsigned>(fs::status(path, ec).permissions() & fs::perms::mask);
  before_.push_back(std::move(b));
}

void FileUndo::write(const fs::path& path, const std::string& text, unsigned mode) {
  remember(path);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  write_file_atomically(path, text, mode);
}

void FileUndo::remove(const fs::path& path) {
  remember(path);
  std::error_code ec;
  fs::remove(path, ec);
}

void FileUndo::roll_back() noexcept {
  for (auto it = before_.rbegin(); it != before_.rend(); ++it) {
    try {
      std::error_code ec;
      if (it->content)
        write_file_atomically(it->path, *it->content, it->mode);
      else
        fs::remove(it->path, ec);
    } catch (const std::exception&) {
      // Best effort: the others still go back.
    }
  }
}

}  // namespace pmctl::core
