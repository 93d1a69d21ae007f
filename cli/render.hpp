#pragma once

// Turns chat events into terminal lines: for people (timestamps, a colour
// per name, own lines set apart) or for scripts (one plain or JSON line per
// event). Pure functions, unit-tested.

#include "actors/chat_types.hpp"
#include "adapters/text_width.hpp"

#include <string>

namespace chat::cli {

enum class output_style { human, plain, json };

struct render_options {
  output_style style = output_style::human;
  /// ANSI colours (human style only); off when NO_COLOR is set.
  bool color = true;
};

/// One line for an event (no trailing newline).
std::string render(const chat_event& event, const render_options& opts);

/// One line for a discovery round.
std::string render(const discovery_report& report, const render_options& opts);

/// A status line ("registered as alice", "reconnecting…") in the chosen style;
/// JSON: {"type":"status","text":…}.
std::string render_status(const std::string& text, const render_options& opts);

/// A line the user typed, shown again after the prompt it was typed at
/// (human style: dim).
std::string render_input(const std::string& prompt, const std::string& line,
                         const render_options& opts);

/// Removes control characters other than tab, so no text can move the
/// cursor or change colours.
std::string printable(const std::string& text);

/// The ANSI 256-colour index used for `name` (stable per name).
int name_color(const std::string& name);

} // namespace chat::cli
