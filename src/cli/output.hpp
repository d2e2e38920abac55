#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pmctl::cli {

/// Colours only when stdout is a terminal and neither --no-color nor NO_COLOR says otherwise.
void set_color(bool enabled);
/// PM2's -s/--silent: say() and the process table print nothing (warnings and errors do).
void set_silent(bool silent);
bool silent();
bool color_enabled();
std::string paint(std::string_view text, std::string_view ansi_code);
std::string bold(std::string_view text);
std::string green(std::string_view text);
std::string red(std::string_view text);
std::string blue(std::string_view text);
std::string grey(std::string_view text);

/// A PM2-style box-drawn table.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string render() const;
};

/// `[pmctl] message` on stdout, as PM2 prefixes its own lines with `[PM2]`.
void say(std::string_view message);
/// `pmctl: warning: message` on stderr.
void warn(std::string_view message);
/// The one error line (and its hint) on stderr.
void print_error(std::string_view what, std::string_view hint);

}  // namespace pmctl::cli
