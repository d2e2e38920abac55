#pragma once

#include <string>
#include <string_view>

#include "core/text/date_format.hpp"

namespace pmctl::core {

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

}  // namespace pmctl::core
