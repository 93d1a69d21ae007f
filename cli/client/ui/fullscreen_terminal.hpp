#pragma once

// The full-screen front end (ncurses, wide-character API): one window per
// chat above a status bar and the input line. Behind the same `terminal`
// boundary as the line editor: it takes lines and window changes from the
// CLI actor and hands typed lines and window switches to its callbacks; it
// never talks to actors itself. Keys are read on its own thread; output
// waits in a queue, so a slow or stalled terminal never blocks an actor.

#include "adapters/client/terminal.hpp"
#include "config/theme.hpp"

#include <memory>
#include <string>
#include <vector>

namespace chat::ui {

struct fullscreen_settings {
  output_limits limits;
  /// Colours (off for NO_COLOR and --no-color, whatever the theme says).
  bool color = true;
  /// What the screen itself paints: highlights, the read marker, the status
  /// bar (lines come painted by render()).
  theme colors = default_theme();
  /// Ring the terminal bell on a highlight.
  bool bell = true;
  /// Lines each window keeps.
  size_t scrollback = 2000;
  /// Commands Tab completes ("/msg", …).
  std::vector<std::string> commands;
};

/// The full-screen front end on stdin/stdout (a TTY); null if curses does
/// not know the terminal (then the line editor is the fallback).
std::unique_ptr<terminal> make_fullscreen_terminal(fullscreen_settings settings);

} // namespace chat::ui
