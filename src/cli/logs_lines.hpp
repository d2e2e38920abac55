#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/logs_selection.hpp"
#include "systemd/journal.hpp"

namespace pmctl::cli {

/// How `pmctl logs` prints a line.
struct LogStyle {
  enum class Mode { Text, Json, KeyValues };  ///< default, --json, --format
  Mode mode = Mode::Text;
  bool raw = false;  ///< --raw: no id|name prefix; with --format, message= alone
  /// --timestamp's format ("": none): before the id|name prefix, or the key=value timestamp.
  std::string timestamp;
  std::string highlight;  ///< --highlight's word ("": none).
};

/// One line as `pmctl logs` prints it, without the newline: PM2's `id|name | line` (the name
/// padded to `name_width` columns), the bare line, its JSON object or its key=value form.
std::string render_line(const sd::LogLine& line, const LogSource& src, std::size_t name_width,
                        const LogStyle& style);

/// Joins what journald split at a NUL byte or after LineMax back into the app's line
/// (core::journal_line_end), per stream: the unit and its priority. A line keeps the time of its
/// first piece.
class Joiner {
 public:
  explicit Joiner(bool exact) : exact_(exact) {}

  /// The whole line once `piece` ends one; nothing while the line goes on.
  std::optional<sd::LogLine> add(sd::LogLine piece);
  /// Lines whose stream has not gone on yet (it ended in a NUL), oldest first.
  std::vector<sd::LogLine> take_open();

 private:
  using Key = std::pair<std::string, int>;
  bool exact_;
  std::map<Key, sd::LogLine> open_;
};

}  // namespace pmctl::cli
