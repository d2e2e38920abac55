// Each cron field becomes the set of values it matches, and each set is written back in
// systemd's calendar syntax: `*`, `a/n` (repeats to the end of the range, as a cron step does),
// `a..b`, or a list. Sets, not text: croner's forms (names, 7 for Sunday, `a/n`, `?`) need no
// counterpart of their own in systemd's syntax.
#include "core/units/cron_calendar.hpp"

#include <array>
#include <bitset>
#include <charconv>
#include <optional>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

constexpr std::string_view kHint =
    "give 5 fields (minute hour day-of-month month day-of-week) or 6 with the seconds first, "
    "e.g. '0 3 * * *' (03:00 daily) or '*/30 * * * * *' (every 30 s)";

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> kSystemdDays = {"Sun", "Mon", "Tue", "Wed",
                                                          "Thu", "Fri", "Sat"};

struct FieldRule {
  std::string_view name;
  int min;
  int max;
  const std::string_view* names = nullptr;  ///< names[i] stands for min + i
  std::size_t name_count = 0;
};

constexpr FieldRule kSecond{"second", 0, 59};
constexpr FieldRule kMinute{"minute", 0, 59};
constexpr FieldRule kHour{"hour", 0, 23};
constexpr FieldRule kDayOfMonth{"day of month", 1, 31};
constexpr FieldRule kMonth{"month", 1, 12, kMonths.data(), kMonths.size()};
// 7 is Sunday too (croner, Vixie cron); folded into 0 once read.
constexpr FieldRule kDayOfWeek{"day of week", 0, 7, kDays.data(), kDays.size()};

using Values = std::bitset<64>;

struct Field {
  Values values;
  bool star =
      false;  ///< `*` or `?`: unrestricted (what decides cron's day-of-month OR day-of-week)
};

[[noreturn]] void refuse(std::string_view pattern, const FieldRule& rule, std::string_view item,
                         const std::string& why) {
  throw Error("'" + std::string(pattern) + "' is not a cron pattern pmctl can run: " +
                  std::string(rule.name) + " '" + std::string(item) + "' " + why,
              std::string(kHint));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<int> number(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

struct Parser {
  std::string_view pattern;
  const FieldRule& rule;
  std::string_view item;

  [[noreturn]] void fail(const std::string& why) const { refuse(pattern, rule, item, why); }

  int value(std::string_view token) const {
    if (const auto n = number(token)) {
      if (*n < rule.min || *n > rule.max)
        fail("is out of range: " + std::to_string(*n) + " is not from " + std::to_string(rule.min) +
             " to " + std::to_string(rule.max));
      return *n;
    }
    const std::string word = lower(token);
    for (std::size_t i = 0; i < rule.name_count; ++i)
      if (rule.names[i] == word) return rule.min + static_cast<int>(i);
    if (token.find_first_of("LW#") != std::string_view::npos)
      fail("uses croner's L, W or #, which pmctl does not support");
    fail("has '" + std::string(token) + "' where a number" +
         (rule.names ? std::string(" or a name") : std::string()) + " belongs");
  }

  /// One item of a list: `*`, `a`, `a-b`, each with an optional `/step`.
  void add(Values& values) const {
    std::string_view range = item;
    int step = 1;
    if (const auto slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const auto n = number(item.substr(slash + 1));
      if (!n || *n < 1 || *n > rule.max)
        fail("has a step that is not from 1 to " + std::to_string(rule.max));
      step = *n;
    }
    int first = rule.min, last = rule.max;
    if (range != "*") {
      const auto dash = range.find('-');
      first = value(range.substr(0, dash));
      // `a/n` is croner's "from a, every n"; a lone `a` is just a.
      last = dash != std::string_view::npos ? value(range.substr(dash + 1))
             : step > 1                     ? rule.max
                                            : first;
      if (last < first) fail("is a range that runs backwards");
    }
    for (int v = first; v <= last; v += step) values.set(static_cast<std::size_t>(v));
  }
};

Field parse_field(std::string_view pattern, const FieldRule& rule, std::string_view text) {
  Field field;
  if (text == "*" || text == "?") {
    field.star = true;
    for (int v = rule.min; v <= rule.max; ++v) field.values.set(static_cast<std::size_t>(v));
  } else {
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto comma = text.find(',', start);
      const auto item =
          text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
      if (item.empty()) refuse(pattern, rule, text, "has an empty list item");
      Parser{pattern, rule, item}.add(field.values);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  if (&rule == &kDayOfWeek && field.values.test(7)) {
    field.values.reset(7);
    field.values.set(0);
  }
  return field;
}

std::vector<int> members(const Values& values, int min, int max) {
  std::vector<int> out;
  for (int v = min; v <= max; ++v)
    if (values.test(static_cast<std::size_t>(v))) out.push_back(v);
  return out;
}

/// Runs of three or more consecutive values as `a..b`, the others listed.
std::string listed(const std::vector<int>& v, const auto& word) {
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ',';
    if (j >= i + 2) {
      out += word(v[i]) + ".." + word(v[j]);
    } else {
      out += word(v[i]);
      if (j == i + 1) out += "," + word(v[j]);
    }
    i = j + 1;
  }
  return out;
}

/// One component of the expression: `*`, `a/n` when the set is a step to the end of the range
/// (systemd repeats to the end as cron does), else listed().
std::string numbers(const Values& values, int min, int max) {
  const std::vector<int> v = members(values, min, max);
  if (static_cast<int>(v.size()) == max - min + 1) return "*";
  const auto word = [](int n) { return std::to_string(n); };
  if (v.size() >= 3) {
    const int step = v[1] - v[0];
    bool progression = step > 1 && v.back() + step > max;
    for (std::size_t i = 2; progression && i < v.size(); ++i) progression = v[i] - v[i - 1] == step;
    if (progression) return word(v[0]) + "/" + word(step);
  }
  return listed(v, word);
}

// systemd's week runs Mon..Sun (a range from Sun is backwards there), cron's Sun..Sat: the days
// are listed in systemd's order.
std::string weekdays(const Values& values) {
  std::vector<int> positions;  // 0 = Mon ... 6 = Sun
  for (int p = 0; p < 7; ++p)
    if (values.test(static_cast<std::size_t>((p + 1) % 7))) positions.push_back(p);
  return listed(positions, [](int p) { return std::string(kSystemdDays[(p + 1) % 7]); });
}

constexpr std::array<int, 13> kDaysInMonth = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool some_day_exists(const Field& months, const Field& days) {
  for (int m = 1; m <= 12; ++m)
    for (int d = 1; d <= kDaysInMonth[m]; ++d)
      if (months.values.test(static_cast<std::size_t>(m)) &&
          days.values.test(static_cast<std::size_t>(d)))
        return true;
  return false;
}

std::vector<std::string_view> split_fields(std::string_view pattern) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    while (i < pattern.size() && (pattern[i] == ' ' || pattern[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < pattern.size() && pattern[i] != ' ' && pattern[i] != '\t') ++i;
    if (i > start) out.push_back(pattern.substr(start, i - start));
  }
  return out;
}

std::optional<std::string_view> nickname(std::string_view pattern) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kNicknames = {{
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  for (const auto& [name, fields] : kNicknames)
    if (lower(pattern) == name) return fields;
  return std::nullopt;
}

}  // namespace

std::vector<std::string> cron_to_calendar(std::string_view written) {
  const std::string_view pattern = nickname(written).value_or(written);
  const auto parts = split_fields(pattern);
  if (parts.size() != 5 && parts.size() != 6)
    throw Error("'" + std::string(written) + "' is not a cron pattern: it has " +
                    std::to_string(parts.size()) + " fields, not 5 or 6",
                std::string(kHint));
  const std::size_t s = parts.size() == 6 ? 1 : 0;  // where the minutes are
  const Field second = s ? parse_field(written, kSecond, parts[0]) : Field{Values(1), false};
  const Field minute = parse_field(written, kMinute, parts[s]);
  const Field hour = parse_field(written, kHour, parts[s + 1]);
  const Field day = parse_field(written, kDayOfMonth, parts[s + 2]);
  const Field month = parse_field(written, kMonth, parts[s + 3]);
  const Field weekday = parse_field(written, kDayOfWeek, parts[s + 4]);
  const std::string time = numbers(hour.values, 0, 23) + ":" + numbers(minute.values, 0, 59) + ":" +
                           numbers(second.values, 0, 59);
  const std::string months = numbers(month.values, 1, 12);
  const auto expression = [&](const Field& days, const Field* week) {
    return (week ? weekdays(week->values) + " " : std::string()) + "*-" + months + "-" +
           numbers(days.values, 1, 31) + " " + time;
  };
  const bool by_day = !day.star, by_weekday = !weekday.star;
  const bool day_exists = !by_day || some_day_exists(month, day);
  if (!day_exists && !by_weekday)
    throw Error("'" + std::string(written) + "' is not a cron pattern pmctl can run: no month " +
                    "it names has the day of month it names, so it would never fire",
                std::string(kHint));
  if (by_day && by_weekday) {
    Field any_day;
    for (int d = 1; d <= 31; ++d) any_day.values.set(static_cast<std::size_t>(d));
    if (!day_exists) return {expression(any_day, &weekday)};
    return {expression(day, nullptr), expression(any_day, &weekday)};
  }
  return {expression(day, by_weekday ? &weekday : nullptr)};
}

}  // namespace pmctl::core
