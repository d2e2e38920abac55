#include "monit/screen.hpp"

#include <curses.h>
#include <langinfo.h>
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <cstring>

#include "core/types/error.hpp"

namespace pmctl::monit {
namespace {

enum Pair : short { kGood = 1, kBad, kBusy, kErr, kTitle };

bool locale_is_utf8() {
  std::setlocale(LC_ALL, "");
  return std::strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

}  // namespace

Screen::Screen(bool color) {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
    throw core::Error("monit needs a terminal (stdin and stdout)",
                      "'pmctl ls' prints the table once, 'pmctl jlist' as JSON");
  utf8_ = locale_is_utf8();
  SCREEN* term = newterm(nullptr, stdout, stdin);
  if (!term)
    throw core::Error("monit cannot use the terminal type '" +
                          std::string(std::getenv("TERM") ? std::getenv("TERM") : "") + "'",
                      "set TERM to one terminfo knows, e.g. TERM=xterm");
  term_ = term;
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  color_ = color && has_colors();
  if (color_) {
    start_color();
    use_default_colors();
    init_pair(kGood, COLOR_GREEN, -1);
    init_pair(kBad, COLOR_RED, -1);
    init_pair(kBusy, COLOR_YELLOW, -1);
    init_pair(kErr, COLOR_RED, -1);
    init_pair(kTitle, COLOR_CYAN, -1);
  }
}

Screen::~Screen() {
  endwin();
  delscreen(static_cast<SCREEN*>(term_));
}

int Screen::rows() const { return LINES; }
int Screen::cols() const { return COLS; }

void Screen::blank() { erase(); }

int Screen::attributes(Style style) const {
  // Without colour, only what NO_COLOR allows: bold, reverse, dim.
  switch (style) {
    case Style::Normal:
      return A_NORMAL;
    case Style::Title:
      return A_BOLD | (color_ ? COLOR_PAIR(kTitle) : A_NORMAL);
    case Style::Header:
      return A_BOLD | A_UNDERLINE;
    case Style::Good:
      return color_ ? COLOR_PAIR(kGood) : A_NORMAL;
    case Style::Bad:
      return color_ ? COLOR_PAIR(kBad) : A_BOLD;
    case Style::Busy:
      return color_ ? COLOR_PAIR(kBusy) : A_NORMAL;
    case Style::Err:
      return color_ ? COLOR_PAIR(kErr) : A_NORMAL;
    case Style::Dim:
      return A_DIM;
  }
  return A_NORMAL;
}

void Screen::put(int y, int x, const std::string& text, Style style, bool reverse) {
  const int attrs = attributes(style) | (reverse ? A_REVERSE : A_NORMAL);
  attron(attrs);
  mvaddstr(y, x, text.c_str());  // ERR at the bottom-right cell only: the text is drawn
  attroff(attrs);
}

void Screen::divider(int y, int x, int h) { mvvline(y, x, ACS_VLINE, h); }

void Screen::show() { refresh(); }

Key Screen::key(int timeout_ms) {
  timeout(timeout_ms < 0 ? 0 : timeout_ms);
  switch (const int k = getch()) {
    case ERR:
      return Key::None;
    case KEY_UP:
    case 'k':
      return Key::Up;
    case KEY_DOWN:
    case 'j':
      return Key::Down;
    case KEY_HOME:
    case 'g':
      return Key::Home;
    case KEY_END:
    case 'G':
      return Key::End;
    case KEY_PPAGE:
      return Key::PageUp;
    case KEY_NPAGE:
      return Key::PageDown;
    case 'q':
    case 'Q':
    case 3:
      return Key::Quit;  // 3: Ctrl-C where it is not a signal
    case KEY_RESIZE:
      return Key::Resize;
    default:
      (void)k;
      return Key::Other;
  }
}

}  // namespace pmctl::monit
