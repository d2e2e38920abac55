#include "cli/output.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "core/base/utf8.hpp"
#include "core/model/names.hpp"

namespace pmctl::cli {
namespace {

bool g_color = false;
bool g_silent = false;

std::string repeat(std::string_view unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += unit;
  return out;
}

std::string border(const std::vector<std::size_t>& widths, std::string_view left,
                   std::string_view mid, std::string_view right) {
  std::string line(left);
  for (std::size_t i = 0; i < widths.size(); ++i) {
    line += repeat("─", widths[i] + 2);
    line += i + 1 < widths.size() ? mid : right;
  }
  return line + "\n";
}

/// Appends one row to `out` (the table of `ls` is 50 of these: no temporaries per cell).
void row_line(const std::vector<std::string>& cells, const std::vector<std::size_t>& widths,
              std::string& out) {
  out += "│";
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::string_view cell =
        i < cells.size() ? std::string_view(cells[i]) : std::string_view();
    out += ' ';
    out += cell;
    out.append(widths[i] - core::display_width(cell) + 1, ' ');
    out += "│";
  }
  out += '\n';
}

}  // namespace

void set_color(bool enabled) { g_color = enabled; }
void set_silent(bool on) { g_silent = on; }
bool silent() { return g_silent; }
bool color_enabled() { return g_color; }

std::string paint(std::string_view text, std::string_view code) {
  if (!g_color) return std::string(text);
  return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
}
std::string bold(std::string_view t) { return paint(t, "1"); }
std::string green(std::string_view t) { return paint(t, "32"); }
std::string red(std::string_view t) { return paint(t, "31"); }
std::string blue(std::string_view t) { return paint(t, "34"); }
std::string grey(std::string_view t) { return paint(t, "90"); }

std::string Table::render() const {
  std::vector<std::size_t> widths(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = core::display_width(header[i]);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], core::display_width(row[i]));
  std::vector<std::string> bold_header;
  for (const auto& h : header) bold_header.push_back(bold(h));
  std::string out = border(widths, "┌", "┬", "┐");
  out.reserve(out.size() * (rows.size() + 4));
  row_line(bold_header, widths, out);
  if (!rows.empty()) out += border(widths, "├", "┼", "┤");
  for (const auto& row : rows) row_line(row, widths, out);
  return out + border(widths, "└", "┴", "┘");
}

void say(std::string_view message) {
  if (g_silent) return;
  std::cout << blue("[pmctl]") << " " << message << "\n";
}

// Warnings and errors quote what the user gave (names, paths, namespaces): a control character
// in it is shown escaped, so each stays one line.
void warn(std::string_view message) {
  std::cerr << "pmctl: warning: " << core::printable(message) << "\n";
}

void print_error(std::string_view what, std::string_view hint) {
  std::cerr << "pmctl: error: " << core::printable(what);
  if (!hint.empty()) std::cerr << " (hint: " << core::printable(hint) << ")";
  std::cerr << "\n";
}

}  // namespace pmctl::cli
