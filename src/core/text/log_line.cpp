#include "core/text/log_line.hpp"

#include <nlohmann/json.hpp>

namespace pmctl::core {

std::string date_prefix(std::string_view format, const Moment& m) {
  return format.empty() ? std::string() : format_dayjs(format, m) + ": ";
}

std::string format_line(const LineStyle& style, std::string_view line, bool is_err,
                        const Moment& now) {
  return format_piece(style, line, true, true, is_err, now);
}

std::string format_piece(const LineStyle& style, std::string_view piece, bool starts_line,
                         bool ends_line, bool is_err, const Moment& now) {
  std::string text(piece);
  if (ends_line) text.push_back('\n');
  if (style.json) {
    const std::string stamp =
        style.date_format.empty() ? iso_utc(now) : format_dayjs(style.date_format, now);
    // ordered_json keeps PM2's key order; invalid UTF-8 from the app becomes U+FFFD instead of
    // throwing.
    const nlohmann::ordered_json j = {{"message", text},
                                      {"timestamp", stamp},
                                      {"type", is_err ? "err" : "out"},
                                      {"process_id", style.id},
                                      {"app_name", style.app_name}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return starts_line ? date_prefix(style.date_format, now) + text : text;
}

std::string LineAssembler::feed(std::string_view data, const Moment& now) {
  held_.append(data);
  std::string text;
  std::size_t start = 0;
  for (std::size_t nl; (nl = held_.find('\n', start)) != std::string::npos; start = nl + 1) {
    text += format_piece(style_, std::string_view(held_).substr(start, nl - start), !mid_line_,
                         true, is_err_, now);
    mid_line_ = false;
  }
  held_.erase(0, start);
  if (held_.size() >= kMaxLine) {
    text += format_piece(style_, held_, !mid_line_, true, is_err_, now);
    held_.clear();
    mid_line_ = false;
  }
  return text;
}

std::string LineAssembler::flush(const Moment& now) {
  if (held_.empty()) return "";
  std::string text = format_piece(style_, held_, !mid_line_, false, is_err_, now);
  held_.clear();
  mid_line_ = true;
  return text;
}

std::string LineAssembler::finish(const Moment& now) {
  std::string text;
  if (!held_.empty())
    text = format_piece(style_, held_, !mid_line_, true, is_err_, now);
  else if (mid_line_ && !style_.json)
    text = "\n";
  held_.clear();
  mid_line_ = false;
  return text;
}

LineEnd journal_line_end(std::string_view line_break, bool exact) {
  if (line_break == "nul") return {true, exact ? std::string(1, '\0') : std::string("\\x00")};
  if (line_break == "line-max") return {true, ""};
  return {};  // a newline, the end of the stream ("eof"), or another process ("pid-change")
}

}  // namespace pmctl::core
