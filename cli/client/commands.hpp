#pragma once

// Parses what the user types into a command. Pure: no I/O, unit-tested.
// The names and aliases are the ones irssi and WeeChat users type (/q is
// /query, /w is /who, /part is /leave); one table drives the parser,
// /help and Tab completion, so no alias is hidden.

#include <optional>
#include <string>
#include <vector>

namespace chat::cli {

enum class command_kind {
  none,    ///< empty line
  text,    ///< plain text: a message to the open chat
  msg,     ///< /msg <user|#group> [text]
  query,   ///< /query <user> [text]: open a private chat's window
  join,    ///< /join <group> [--transient]
  open,    ///< /open <group>: show a subscribed group
  leave,   ///< /leave [group]: the open group without one
  close,   ///< /close: close the shown window
  groups,  ///< /groups: chats with unread counts
  who,     ///< /who: discovery view
  insult,  ///< /insult [text]
  history, ///< /history
  trust,   ///< /trust <user>: accept the user's changed identity key
  back,    ///< /back: to the lobby
  help,    ///< /help [command]
  quit,    ///< /quit
  window,  ///< /window <n>|list|close (full screen)
  names,   ///< /names [group]: who in a group is online
  clear,   ///< /clear: empty the shown window
  me,      ///< /me <action>: an action in the open chat
  whois,   ///< /whois <user>: address, groups and the whole identity key
  lastlog, ///< /lastlog <text>: the shown window's lines with <text>
  invalid, ///< unknown command or missing argument; `error` says why
};

struct command {
  command_kind kind = command_kind::none;
  /// User or group name; /window: the number, "list" or "close".
  std::string target;
  std::string text;
  bool transient = false;
  /// /msg to a group ("/msg #room hi").
  bool to_group = false;
  std::string error;
};

/// Parses one input line. With `menu_numbers` (the lobby of the --plain
/// client) the original client's menu numbers work too: 1 private chat,
/// 2 subscribe to a group, 3 open a group, 4 discover chats, 5 insult
/// channel, 6 exit. Command names are case-insensitive.
command parse_command(const std::string& line, bool menu_numbers);

/// One command as /help shows it.
struct command_help {
  /// "/msg".
  std::string name;
  /// Other names it answers to ("/m").
  std::vector<std::string> aliases;
  /// Its arguments ("<user|#group> [text]").
  std::string usage;
  /// What it does, one line.
  std::string summary;
};

/// Every command, in /help order.
const std::vector<command_help>& command_table();

/// The /help text, one entry per line.
std::vector<std::string> help_lines();

/// /help COMMAND: usage, aliases and what it does; nothing if `name` (with
/// or without the slash, any case, an alias too) is no command.
std::optional<std::vector<std::string>> help_for(const std::string& name);

/// The commands Tab completes ("/msg", "/join", …; aliases too).
std::vector<std::string> command_names();

} // namespace chat::cli
