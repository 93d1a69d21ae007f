#pragma once

// The status bar of the full-screen client: who and where we are, the
// connection state, the current window and the activity list, e.g.
//   [alice@127.0.0.1] [2:#room] [act: 3:@bob(2) 4:#dev(1!)]
// Highlighted windows are marked with '!' and drawn bold. Pure, unit-tested.

#include "cli/client/ui/styled_text.hpp"
#include "cli/client/ui/window_list.hpp"

#include <string>

namespace chat::ui {

struct status_info {
  std::string user;
  std::string server;
  /// Empty when connected; "reconnecting…" and the like otherwise.
  std::string connection;
};

/// The status bar for `windows` (without padding to the terminal's width).
styled_line status_bar(const status_info& info, const window_list& windows);

} // namespace chat::ui
