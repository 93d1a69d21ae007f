#pragma once

// Parses what the user types into a command. Pure: no I/O, unit-tested.

#include <string>
#include <vector>

namespace chat::cli {

enum class command_kind {
  none,    ///< empty line
  text,    ///< plain text: a message to the open chat
  msg,     ///< /msg <user> [text]
  join,    ///< /join <group> [--transient]
  open,    ///< /open <group>: show a subscribed group
  leave,   ///< /leave <group>
  groups,  ///< /groups: chats with unread counts
  who,     ///< /who: discovery view
  insult,  ///< /insult [text]
  history, ///< /history
  trust,   ///< /trust <user>: accept the user's changed identity key
  back,    ///< /back: to the lobby
  help,    ///< /help
  quit,    ///< /quit
  window,  ///< /window <n>: show window n (full screen)
  names,   ///< /names [group]: who in a group is online
  offer,   ///< /send <user> <path>: offer a file
  accept,  ///< /accept [id] [path]: take an offered file
  decline, ///< /decline [id]: refuse an offered file
  files,   ///< /transfers: offers and transfers under way
  cancel,  ///< /cancel <id>: stop a transfer
  invalid, ///< unknown command or missing argument; `error` says why
};

struct command {
  command_kind kind = command_kind::none;
  /// User or group name.
  std::string target;
  std::string text;
  bool transient = false;
  std::string error;
};

/// Parses one input line. In the lobby the original client's menu numbers
/// work too: 1 private chat, 2 subscribe to a group, 3 open a group,
/// 4 discover chats, 5 insult channel, 6 exit.
command parse_command(const std::string& line, bool in_lobby);

/// The /help text, one entry per line.
std::vector<std::string> help_lines();

/// The commands Tab completes ("/msg", "/join", …).
std::vector<std::string> command_names();

} // namespace chat::cli
