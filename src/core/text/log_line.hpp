#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "core/text/date_format.hpp"

namespace pmctl::core {

/// PM2's --time: this log_date_format.
inline constexpr std::string_view kTimeFlagFormat = "YYYY-MM-DDTHH:mm:ss";

/// What PM2's log_date_format puts before a line: "<date in format>: ", or "" for no format.
std::string date_prefix(std::string_view format, const Moment& m);

/// How pmctl-logwriter writes each line to an app's log files (PM2's log_date_format and
/// log_type). The journal always gets the bare line.
struct LineStyle {
  std::string date_format;  ///< dayjs format; "" = no prefix.
  bool json = false;        ///< log_type: json.
  std::string app_name;     ///< For json lines.
  int id = 0;               ///< For json lines (process_id).
};

/// One line as PM2 writes it to a file, newline included: `line`, `<date>: line`, or
/// {"message":"line\n","timestamp":…,"type":"out"|"err","process_id":…,"app_name":…}. PM2's
/// message is the chunk the app wrote, newline and all; the timestamp is log_date_format's
/// text, or the ISO time in UTC without one.
std::string format_line(const LineStyle& style, std::string_view line, bool is_err,
                        const Moment& now);

/// A piece of a line as pmctl-logwriter writes it when the line comes in pieces: the date prefix
/// only where the line starts (`starts_line`), the newline only where it ends (`ends_line`), so
/// a line written early in two pieces reads in the file as if it had come whole. JSON has no
/// "rest of an object": each piece is an object of its own whose message is the piece (with
/// "\n" only if it ends the line), as PM2 writes each chunk the app wrote.
std::string format_piece(const LineStyle& style, std::string_view piece, bool starts_line,
                         bool ends_line, bool is_err, const Moment& now);

/// One output stream's lines on their way to the files: whole lines as they complete, the start
/// of an unfinished line when the writer stops waiting for its newline (`flush`), the rest at
/// the end of the stream (`finish`). Pure: the writer decides when to flush.
class LineAssembler {
 public:
  /// A longer line is cut: the writer's memory stays bounded whatever the app prints.
  static constexpr std::size_t kMaxLine = 64 * 1024;

  LineAssembler(LineStyle style, bool is_err) : style_(std::move(style)), is_err_(is_err) {}
  /// Takes bytes the app wrote; returns the text of the lines they complete.
  std::string feed(std::string_view data, const Moment& now);
  /// Returns the held start of a line (its rest will follow without a second prefix).
  std::string flush(const Moment& now);
  /// The stream ended: returns what is held, and a newline if a line was left open, so that the
  /// next run's first line starts on a line of its own (not for JSON: each object is a line).
  std::string finish(const Moment& now);
  /// Bytes held, waiting for their newline.
  bool holding() const { return !held_.empty(); }

 private:
  LineStyle style_;
  bool is_err_;
  std::string held_;
  bool mid_line_ = false;  ///< A piece of the current line is already in the files.
};

/// How one journal entry of an app's output ends, from its _LINE_BREAK field. journald's stdout
/// stream ends an entry at a newline (no field), at a NUL byte ("nul") or after LineMax bytes
/// ("line-max"); the last two are one line of the app's, so `pmctl logs` joins the entry with
/// the next one of the same stream, after appending `tail`: "\x00" for a NUL in text (systemd's
/// escape), the NUL itself for --json (the JSON text escapes it), nothing after LineMax.
struct LineEnd {
  bool joins = false;  ///< The next entry of the stream continues this line.
  std::string tail;    ///< Appended to the entry's text.
};
LineEnd journal_line_end(std::string_view line_break, bool exact);

}  // namespace pmctl::core
