// Node's util.inspect layout rules (lib/internal/util/inspect.js), for JSON values only.
#include "core/text/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <vector>

namespace pmctl::core {
namespace {

using nlohmann::json;

constexpr int kBreakLength = 80;  // util.inspect.defaultOptions.breakLength (console.log uses 128)
constexpr int kCompact = 3;       // Node's default compact
constexpr std::size_t kMaxArrayLength = 100;
constexpr std::size_t kMinLineWidth = 16;

struct Ctx {
  int indentation = 0;
  int current_depth = 0;
};

/// Length as JavaScript counts it (UTF-16 code units) of UTF-8 text.
std::size_t js_length(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    n += c >= 0xF0 ? 2 : 1;            // 4-byte sequences are surrogate pairs
  }
  return n;
}

std::string hex_escape(unsigned code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", code);
  return buf;
}

/// Node's `meta` table: the escape for a code point below 0xA0 that needs one.
std::string escape_of(unsigned code) {
  switch (code) {
    case '\b':
      return "\\b";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\f':
      return "\\f";
    case '\r':
      return "\\r";
    case '\\':
      return "\\\\";
    case '\'':
      return "\\'";
    default:
      return hex_escape(code);
  }
}

/// Node's strEscape: single quotes unless the text holds one; then double quotes, then backticks.
std::string quote(const std::string& s) {
  char q = '\'';
  if (s.find('\'') != std::string::npos) {
    if (s.find('"') == std::string::npos)
      q = '"';
    else if (s.find('`') == std::string::npos && s.find("${") == std::string::npos)
      q = '`';
  }
  std::string out(1, q);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC2 && i + 1 < s.size()) {  // U+0080..U+009F are escaped too
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        out += hex_escape(next);
        ++i;
        continue;
      }
    }
    if (c < 0x20 || c == 0x7F || c == '\\' || (q == '\'' && c == '\''))
      out += escape_of(c);
    else
      out += static_cast<char>(c);
  }
  return out + q;
}

/// A long string is cut after each newline into 'a\n' + 'b' pieces, one per line.
std::string format_string(const std::string& s, const Ctx& ctx) {
  const std::size_t len = js_length(s);
  if (len <= kMinLineWidth || static_cast<long>(len) <= kBreakLength - ctx.indentation - 4)
    return quote(s);
  std::string out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find('\n', start);
    end = end == std::string::npos ? s.size() : end + 1;
    if (!out.empty())
      out += " +\n" + std::string(static_cast<std::size_t>(ctx.indentation) + 2, ' ');
    out += quote(s.substr(start, end - start));
    start = end;
  }
  return out.empty() ? quote(s) : out;
}

/// JavaScript's Number#toString for the doubles JSON can hold.
std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  if (d == std::floor(d) && std::fabs(d) < 1e21) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  std::string s = json(d).dump();  // shortest round-trip digits
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e);
  std::string exponent = s.substr(e + 1);
  const char sign = exponent[0] == '-' ? '-' : '+';
  if (exponent[0] == '-' || exponent[0] == '+') exponent.erase(0, 1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return mantissa + "e" + sign + exponent;
}

std::string format_key(const std::string& key) {
  static const std::regex identifier("^[a-zA-Z_][a-zA-Z_0-9]*$");
  return std::regex_match(key, identifier) ? key : quote(key);
}

std::string format_value(Ctx& ctx, const json& v, int depth);

bool below_break_length(const std::vector<std::string>& output, std::size_t start) {
  std::size_t total = output.size() + start;
  if (total + output.size() > static_cast<std::size_t>(kBreakLength)) return false;
  for (const auto& item : output) {
    total += js_length(item);
    if (total > static_cast<std::size_t>(kBreakLength)) return false;
  }
  return true;
}

std::string pad(const std::string& s, std::size_t width, bool at_start) {
  const std::size_t len = js_length(s);
  if (len >= width) return s;
  const std::string fill(width - len, ' ');
  return at_start ? fill + s : s + fill;
}

/// Node's groupArrayElements: more than six short items are laid out in aligned columns.
std::vector<std::string> group_array(const Ctx& ctx, const std::vector<std::string>& output,
                                     const json& array) {
  std::size_t count = output.size();
  if (array.size() > kMaxArrayLength) --count;  // "... n more items" stays on its own line
  std::vector<std::size_t> lengths(count);
  std::size_t total = 0, max_len = 0;
  for (std::size_t i = 0; i < count; ++i) {
    lengths[i] = js_length(output[i]);
    total += lengths[i] + 2;
    max_len = std::max(max_len, lengths[i]);
  }
  const double actual_max = static_cast<double>(max_len + 2);
  if (!(actual_max * 3 + ctx.indentation < kBreakLength &&
        (static_cast<double>(total) / actual_max > 5 || max_len <= 6)))
    return output;
  const double bias =
      std::sqrt(actual_max - static_cast<double>(total) / static_cast<double>(output.size()));
  const double biased_max = std::max(actual_max - 3 - bias, 1.0);
  const double columns_d = std::min(
      {std::round(std::sqrt(2.5 * biased_max * static_cast<double>(count)) / biased_max),
       std::floor((kBreakLength - ctx.indentation) / actual_max), double{kCompact * 4}, 15.0});
  const auto columns = static_cast<std::size_t>(columns_d);
  if (columns <= 1) return output;
  std::vector<std::size_t> widths;
  for (std::size_t i = 0; i < columns; ++i) {
    std::size_t w = 0;
    for (std::size_t j = i; j < count; j += columns) w = std::max(w, lengths[j]);
    widths.push_back(w + 2);
  }
  const bool numbers =
      std::all_of(array.begin(), array.end(), [](const json& x) { return x.is_number(); });
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < count; i += columns) {
    const std::size_t end = std::min(i + columns, count);
    std::string row;
    std::size_t j = i;
    for (; j + 1 < end; ++j) row += pad(output[j] + ", ", widths[j - i], numbers);
    row += numbers ? pad(output[j], widths[j - i] - 2, true) : output[j];
    rows.push_back(row);
  }
  if (count < output.size()) rows.push_back(output.back());
  return rows;
}

/// Node's reduceToSingleString: one line when the innermost levels fit, else one item per line.
std::string reduce(const Ctx& ctx, std::vector<std::string> output, const char* open,
                   const char* close, const json& v, int depth) {
  const std::size_t entries = output.size();
  if (v.is_array() && entries > 6) output = group_array(ctx, output, v);
  if (ctx.current_depth - depth < kCompact && entries == output.size()) {
    const std::size_t start = output.size() + static_cast<std::size_t>(ctx.indentation) + 1 + 10;
    if (below_break_length(output, start)) {
      std::string joined;
      for (const auto& item : output) joined += (joined.empty() ? "" : ", ") + item;
      if (joined.find('\n') == std::string::npos)
        return std::string(open) + " " + joined + " " + close;
    }
  }
  const std::string indent = "\n" + std::string(static_cast<std::size_t>(ctx.indentation), ' ');
  std::string out = std::string(open) + indent + "  ";
  for (std::size_t i = 0; i < output.size(); ++i) out += (i ? "," + indent + "  " : "") + output[i];
  return out + indent + close;
}

std::string format_child(Ctx& ctx, const json& v, int depth) {
  ctx.indentation += 2;
  std::string s = format_value(ctx, v, depth);
  ctx.indentation -= 2;
  return s;
}

std::string format_container(Ctx& ctx, const json& v, int depth) {
  if (v.empty()) return v.is_array() ? "[]" : "{}";
  ++depth;
  ctx.current_depth = depth;
  std::vector<std::string> output;
  if (v.is_array()) {
    const std::size_t shown = std::min(v.size(), kMaxArrayLength);
    for (std::size_t i = 0; i < shown; ++i) output.push_back(format_child(ctx, v[i], depth));
    if (const std::size_t rest = v.size() - shown; rest > 0)
      output.push_back("... " + std::to_string(rest) + " more item" + (rest > 1 ? "s" : ""));
    return reduce(ctx, std::move(output), "[", "]", v, depth);
  }
  for (const auto& [key, value] : v.items())
    output.push_back(format_key(key) + ": " + format_child(ctx, value, depth));
  return reduce(ctx, std::move(output), "{", "}", v, depth);
}

std::string format_value(Ctx& ctx, const json& v, int depth) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
      return std::to_string(v.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(v.get<std::uint64_t>());
    case json::value_t::number_float:
      return format_double(v.get<double>());
    case json::value_t::string:
      return format_string(v.get_ref<const std::string&>(), ctx);
    case json::value_t::array:
    case json::value_t::object:
      return format_container(ctx, v, depth);
    default:
      return "undefined";
  }
}

}  // namespace

std::string js_inspect(const nlohmann::json& value) {
  Ctx ctx;
  return format_value(ctx, value, 0);
}

}  // namespace pmctl::core
