#pragma once

// Escape sequences a terminal sends for keys, decoded whatever TERM says:
// inside tmux or screen, and with a TERM that does not match the terminal,
// curses does not know every sequence it gets (Home is ESC [ 1 ~ in screen
// and tmux, ESC [ 7 ~ in rxvt, ESC [ H in xterm). A sequence that is not
// a key we bind is swallowed whole, never typed into the input line.
// Pure, unit-tested.

#include <cstddef>
#include <string_view>

namespace chat::ui {

enum class escape_key {
  none, ///< a key we do not bind (F-keys, Insert, Alt+letter, …): ignored
  home,
  end,
  page_up,
  page_down,
  up,
  down,
  left,
  right,
  del,
  alt_digit,   ///< Alt+0 … Alt+9 (`digit`)
  paste_begin, ///< bracketed paste starts (ESC [ 200 ~)
  paste_end,   ///< bracketed paste ends (ESC [ 201 ~)
};

struct escape_result {
  /// More characters are needed to tell.
  bool incomplete = false;
  escape_key key = escape_key::none;
  /// Characters after the ESC that belong to the sequence.
  size_t length = 0;
  /// For alt_digit: 0 … 9.
  int digit = 0;
};

/// Decodes what followed an ESC (`after`, possibly more than one sequence).
/// Empty `after`: a lone Escape key (none, length 0).
escape_result decode_escape(std::u32string_view after);

/// Longest sequence decode_escape waits for; longer ones are dropped.
constexpr size_t max_escape_length = 32;

} // namespace chat::ui
