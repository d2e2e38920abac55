#include "core/text/log_view.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/text/log_line.hpp"

namespace pmctl::core {

Moment moment_of_usec(std::uint64_t usec) {
  return moment_of(std::chrono::system_clock::time_point(std::chrono::microseconds(usec)));
}

std::string view_date_format(std::string_view declared, std::string_view flag_format,
                             bool flag_time) {
  if (!flag_format.empty()) return std::string(flag_format);
  if (flag_time) return std::string(kTimeFlagFormat);
  return std::string(declared);
}

std::string json_view(const ViewLine& line) {
  // ordered_json keeps PM2's key order; bytes that are not UTF-8 become U+FFFD, as in PM2's JSON.
  const nlohmann::ordered_json j = {{"message", line.message},
                                    {"timestamp", iso_utc(moment_of_usec(line.realtime_usec))},
                                    {"type", line.is_err ? "err" : "out"},
                                    {"process_id", line.id},
                                    {"app_name", line.app_name}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string key_value_view(const ViewLine& line, std::string_view stamp_format, bool raw) {
  if (raw) return "message=" + line.message;
  return "timestamp=" + format_dayjs(stamp_format, moment_of_usec(line.realtime_usec)) +
         " app=" + line.app_name + " id=" + std::to_string(line.id) +
         (line.is_err ? " type=error" : " type=out") + " message=" + line.message;
}

std::string mark_all(std::string_view text, std::string_view word, std::string_view before,
                     std::string_view after) {
  if (word.empty()) return std::string(text);
  std::string out;
  std::size_t at = 0;
  for (auto found = text.find(word); found != std::string_view::npos; found = text.find(word, at)) {
    out.append(text.substr(at, found - at));
    out.append(before).append(word).append(after);
    at = found + word.size();
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace pmctl::core
