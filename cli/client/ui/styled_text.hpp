#pragma once

// Lines as render() makes them (UTF-8 with ANSI SGR colour codes) taken
// apart into runs of one style, so that a curses front end can paint them
// and wrap them by columns. Pure, unit-tested.

#include <string>
#include <string_view>
#include <vector>

namespace chat::ui {

struct text_style {
  /// xterm 256-colour index, or -1 for the terminal's own colour.
  int fg = -1;
  bool bold = false;
  bool dim = false;
  /// Reverse video (the status bar, highlighted activity).
  bool reverse = false;

  friend bool operator==(const text_style&, const text_style&) = default;
};

/// Text of one style.
struct styled_run {
  std::string text;
  text_style style;

  friend bool operator==(const styled_run&, const styled_run&) = default;
};

using styled_line = std::vector<styled_run>;

/// Splits `line` at its SGR sequences (`ESC [ … m`): 0 resets, 1 bold, 2 dim,
/// 7 reverse, 30–37/90–97 and 38;5;N set the colour, 39 the default one;
/// other escape sequences are dropped.
styled_line parse_sgr(std::string_view line);

/// The text of `line` without styles.
std::string plain_text(const styled_line& line);

/// The bytes [from, to) of the text of `line`, with their styles.
styled_line slice(const styled_line& line, size_t from, size_t to);

} // namespace chat::ui
