#pragma once

// Turns chat events into terminal lines: for people (timestamps, a colour
// per name, own lines set apart) or for scripts (one plain or JSON line per
// event). Pure functions, unit-tested.

#include "actors/client/chat_types.hpp"
#include "adapters/client/text_width.hpp"
#include "config/theme.hpp"

#include <string>
#include <vector>

namespace chat::cli {

enum class output_style { human, plain, json };

struct render_options {
  output_style style = output_style::human;
  /// ANSI colours (human style only); off when NO_COLOR is set.
  bool color = true;
  /// Our user name: a line from someone else under it is set apart.
  std::string self_name = {};
  /// The colours ([chat.theme]), when `color` is on.
  theme colors = default_theme();
};

/// One line for an event (no trailing newline).
std::string render(const chat_event& event, const render_options& opts);

/// One line for a discovery round.
std::string render(const discovery_report& report, const render_options& opts);

/// `report` as a list of who is online, without joined/left: the first
/// round of a listing has nothing to compare with (everyone would have
/// "joined").
discovery_report listing(discovery_report report);

/// One line for what changed since the previous round ("joined: … ; left: …"),
/// empty if nothing did: the discovery view shows the list once, then this.
std::string render_changes(const discovery_report& report, const render_options& opts);

/// A status line ("registered as alice", "reconnecting…") in the chosen style;
/// JSON: {"type":"status","text":…}.
std::string render_status(const std::string& text, const render_options& opts);

/// A line the user typed, shown again after the prompt it was typed at
/// (human style: dim).
std::string render_input(const std::string& prompt, const std::string& line,
                         const render_options& opts);

/// Removes what could move the cursor, change colours or the window title,
/// or reorder text: C0 controls other than tab, DEL, C1 controls (U+0080 to
/// U+009F, e.g. the one-byte CSI), bidirectional overrides and isolates,
/// and bytes that are not UTF-8.
std::string printable(const std::string& text);

/// The colours names are painted in by default (xterm 256-colour indexes,
/// defaults::theme_nicks): hues far apart from each other (CIE76 ΔE ≥ 30
/// between any two) and from the red of errors, each readable on black and
/// on white (contrast ≥ 3).
const std::vector<int>& name_palette();

/// The colour of `name`: picked from `palette` (name_palette() if empty) by
/// a djb2 hash (what WeeChat uses for nick colours), so it is the same
/// everywhere.
int name_color(const std::string& name, const std::vector<int>& palette = {});

} // namespace chat::cli
