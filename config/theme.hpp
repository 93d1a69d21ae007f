#pragma once

// The colours of the client (`[chat.theme]` in caf-application.conf,
// `--chat.theme.<key>=` on the command line): what the full-screen and the
// line client paint timestamps, notices, errors, names and the status bar
// in. A colour is a name (default black red green yellow blue magenta cyan
// white, bright-<name>) or an xterm index 0..255; "default" is the
// terminal's own colour (dim or bold stays as it is). NO_COLOR and
// --no-color turn every colour off, the theme's too. Pure, unit-tested.

#include <caf/config_value.hpp>
#include <caf/fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

/// -1: the terminal's own colour; else an xterm 256-colour index.
using theme_color = int;

struct theme {
  /// The time in front of every line.
  theme_color timestamp;
  /// Status lines, info lines, join/leave notices.
  theme_color notice;
  theme_color error;
  /// "you" in front of our own lines.
  theme_color own_name;
  /// The "(unverified)" mark of a sender who did not prove itself.
  theme_color unverified;
  /// Full screen: a line that mentions us ("default": reverse video).
  theme_color highlight;
  /// Full screen: the dashed read-marker line.
  theme_color read_marker;
  /// Full screen: the status bar (both "default": reverse video).
  theme_color status_fg;
  theme_color status_bg;
  /// The colours names are painted in, picked by a hash of the name.
  std::vector<theme_color> nicks;
};

/// The keys of [chat.theme], in the order --help shows them.
const std::vector<std::string_view>& theme_keys();

/// "red", "bright-blue", "default", "42" → the colour; nothing if `text` is
/// none of them.
std::optional<theme_color> parse_color(std::string_view text);

/// The theme of config/defaults.hpp.
const theme& default_theme();

/// Sets `key` of `t` from `value`: a colour as a string or an integer, or
/// for "nicks" a non-empty list of those (or one string, comma-separated).
/// Empty if fine, else one line naming the key, the value and what is
/// expected.
std::string set_theme_value(theme& t, std::string_view key,
                            const caf::config_value& value);

/// Checks every entry of a [chat.theme] section (`section` is what
/// `chat.theme` holds: a dictionary); the first problem as one line, or
/// empty. `bad_key`, if given, gets the key of that problem.
std::string check_theme(const caf::config_value& section, std::string* bad_key = nullptr);

/// The theme the configuration sets (defaults for what it does not);
/// checked already (chat_config's validate), so bad values keep defaults.
theme read_theme(const caf::actor_system_config& cfg);

/// `color` as the parameters of an SGR foreground sequence ("31", "94",
/// "38;5;208"); empty for the terminal's own colour.
std::string sgr_foreground(theme_color color);

} // namespace chat
