#include "core/text/log_line.hpp"

#include <nlohmann/json.hpp>

namespace pmctl::core {

std::string date_prefix(std::string_view format, const Moment& m) {
  return format.empty() ? std::string() : format_dayjs(format, m) + ": ";
}

std::string format_line(const LineStyle& style, std::string_view line, bool is_err,
                        const Moment& now) {
  if (style.json) {
    const std::string stamp =
        style.date_format.empty() ? iso_utc(now) : format_dayjs(style.date_format, now);
    // ordered_json keeps PM2's key order; invalid UTF-8 from the app becomes U+FFFD instead of
    // throwing.
    const nlohmann::ordered_json j = {{"message", std::string(line) + "\n"},
                                      {"timestamp", stamp},
                                      {"type", is_err ? "err" : "out"},
                                      {"process_id", style.id},
                                      {"app_name", style.app_name}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::string out = date_prefix(style.date_format, now);
  out.append(line);
  out.push_back('\n');
  return out;
}

LineEnd journal_line_end(std::string_view line_break, bool exact) {
  if (line_break == "nul") return {true, exact ? std::string(1, '\0') : std::string("\\x00")};
  if (line_break == "line-max") return {true, ""};
  return {};  // a newline, the end of the stream ("eof"), or another process ("pid-change")
}

}  // namespace pmctl::core
