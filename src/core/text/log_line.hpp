#pragma once

#include <string>
#include <string_view>

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
