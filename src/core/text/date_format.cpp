#include "core/text/date_format.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace pmctl::core {
namespace {

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

std::string pad(long value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*ld", width, value);
  return buf;
}

/// "+02:00" (Z) or "+0200" (ZZ) from the offset east of UTC.
std::string zone(long gmtoff, bool colon) {
  const char sign = gmtoff < 0 ? '-' : '+';
  const long minutes = std::labs(gmtoff) / 60;
  return sign + pad(minutes / 60, 2) + (colon ? ":" : "") + pad(minutes % 60, 2);
}

/// How many repetitions of `c` form the longest token (dayjs's REGEX_FORMAT); 0 = not a token.
int max_run(char c) {
  switch (c) {
    case 'Y':
    case 'M':
    case 'd':
      return 4;
    case 'D':
    case 'H':
    case 'h':
    case 'm':
    case 's':
    case 'Z':
      return 2;
    case 'a':
    case 'A':
      return 1;
    case 'S':
      return 3;
    default:
      return 0;
  }
}

int hour12(const std::tm& t) { return t.tm_hour % 12 == 0 ? 12 : t.tm_hour % 12; }

/// The text of one token, or nothing when dayjs has no such token (e.g. "YYY", "S").
std::optional<std::string> token(std::string_view tok, const Moment& m) {
  const std::tm& t = m.local;
  if (tok == "YYYY") return pad(t.tm_year + 1900, 4);
  if (tok == "YY") return pad((t.tm_year + 1900) % 100, 2);
  if (tok == "MMMM") return std::string(kMonths[t.tm_mon]);
  if (tok == "MMM") return std::string(kMonths[t.tm_mon]).substr(0, 3);
  if (tok == "MM") return pad(t.tm_mon + 1, 2);
  if (tok == "M") return std::to_string(t.tm_mon + 1);
  if (tok == "DD") return pad(t.tm_mday, 2);
  if (tok == "D") return std::to_string(t.tm_mday);
  if (tok == "dddd") return std::string(kDays[t.tm_wday]);
  if (tok == "ddd") return std::string(kDays[t.tm_wday]).substr(0, 3);
  if (tok == "dd") return std::string(kDays[t.tm_wday]).substr(0, 2);
  if (tok == "d") return std::to_string(t.tm_wday);
  if (tok == "HH") return pad(t.tm_hour, 2);
  if (tok == "H") return std::to_string(t.tm_hour);
  if (tok == "hh") return pad(hour12(t), 2);
  if (tok == "h") return std::to_string(hour12(t));
  if (tok == "A") return std::string(t.tm_hour < 12 ? "AM" : "PM");
  if (tok == "a") return std::string(t.tm_hour < 12 ? "am" : "pm");
  if (tok == "mm") return pad(t.tm_min, 2);
  if (tok == "m") return std::to_string(t.tm_min);
  if (tok == "ss") return pad(t.tm_sec, 2);
  if (tok == "s") return std::to_string(t.tm_sec);
  if (tok == "SSS") return pad(m.millis, 3);
  if (tok == "Z") return zone(t.tm_gmtoff, true);
  if (tok == "ZZ") return zone(t.tm_gmtoff, false);
  return std::nullopt;
}

}  // namespace

Moment moment_of(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  Moment m;
  localtime_r(&secs, &m.local);
  gmtime_r(&secs, &m.utc);
  m.millis = static_cast<int>(ms % 1000);
  return m;
}

std::string format_dayjs(std::string_view format, const Moment& m) {
  std::string out;
  for (std::size_t i = 0; i < format.size();) {
    const char c = format[i];
    if (c == '[') {
      const auto close = format.find(']', i + 1);
      if (close != std::string_view::npos && close > i + 1) {
        out.append(format.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
    }
    std::size_t run = 0;
    while (i + run < format.size() && format[i + run] == c && run < std::size_t(max_run(c))) ++run;
    if (run == 0) run = 1;
    const std::string_view tok = format.substr(i, run);
    const auto text = token(tok, m);
    out.append(text ? *text : std::string(tok));
    i += run;
  }
  return out;
}

std::string iso_utc(const Moment& m) {
  Moment utc = m;
  utc.local = m.utc;
  return format_dayjs("YYYY-MM-DD[T]HH:mm:ss.SSS[Z]", utc);
}

}  // namespace pmctl::core
