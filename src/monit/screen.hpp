#pragma once
// The terminal, through ncurses: set up on construction (alternate screen, no echo, keypad,
// hidden cursor), restored on destruction, also when an exception leaves run_monit.

#include <string>

namespace pmctl::monit {

enum class Style { Normal, Title, Header, Good, Bad, Busy, Err, Dim };

/// The keys monit acts on; None when the wait timed out or a signal interrupted it.
enum class Key { None, Up, Down, Home, End, PageUp, PageDown, Quit, Resize, Other };

class Screen {
 public:
  /// Throws core::Error when stdin or stdout is not a terminal, or TERM names none ncurses knows.
  explicit Screen(bool color);
  ~Screen();
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  int rows() const;
  int cols() const;
  /// Whether the locale is UTF-8 (else monit draws ASCII only).
  bool utf8() const { return utf8_; }
  void blank();
  /// `text` at row `y`, column `x`; the caller has fitted it to the screen. `reverse`: the
  /// selected row.
  void put(int y, int x, const std::string& text, Style style = Style::Normal,
           bool reverse = false);
  void divider(int y, int x, int h);
  void show();
  /// The next key, or None after `timeout_ms` (or when a signal interrupted the wait).
  Key key(int timeout_ms);

 private:
  int attributes(Style style) const;

  bool color_ = false;
  bool utf8_ = false;
  void* term_ = nullptr;  ///< ncurses' SCREEN, kept opaque so this header needs no curses.h
};

}  // namespace pmctl::monit
