#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/text/date_format.hpp"

namespace pmctl::core {

/// `pm2 logs --timestamp` without a format.
inline constexpr std::string_view kTimestampFormat = "YYYY-MM-DD-HH:mm:ss";
/// The timestamp of `pm2 logs --format` lines, when --timestamp gives no format.
inline constexpr std::string_view kKeyValueTimestampFormat = "YYYY-MM-DD-HH:mm:ssZZ";

/// One line of an app's output as `pmctl logs` shows it.
struct ViewLine {
  std::uint64_t realtime_usec = 0;  ///< When journald got it (CLOCK_REALTIME µs).
  bool is_err = false;
  int id = 0;
  std::string app_name;
  std::string message;
};

/// The instant of a CLOCK_REALTIME µs value, in local time and UTC.
Moment moment_of_usec(std::uint64_t usec);

/// The date format `pmctl logs` puts before an app's lines, as PM2 has it in the app's files:
/// the view's --log-date-format, else its --time, else the app's declared log_date_format ("":
/// none).
std::string view_date_format(std::string_view declared, std::string_view flag_format,
                             bool flag_time);

/// `pm2 logs --json`: {"message","timestamp","type","process_id","app_name"} in that order, the
/// timestamp in UTC with milliseconds (2024-05-01T09:03:07.042Z), as dayjs serialises it.
std::string json_view(const ViewLine& line);

/// `pm2 logs --format`: `timestamp=<stamp_format> app=<name> id=<id> type=out|error
/// message=<line>`; with `raw`, `message=<line>` alone.
std::string key_value_view(const ViewLine& line, std::string_view stamp_format, bool raw);

/// `text` with every occurrence of `word` put between `before` and `after` (--highlight); an
/// empty `word` leaves it as it is.
std::string mark_all(std::string_view text, std::string_view word, std::string_view before,
                     std::string_view after);

}  // namespace pmctl::core
