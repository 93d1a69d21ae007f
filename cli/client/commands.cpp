#include "cli/client/commands.hpp"

#include <sstream>

namespace chat::cli {

namespace {

std::string trim(const std::string& x) {
  auto first = x.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  auto last = x.find_last_not_of(" \t\r\n");
  return x.substr(first, last - first + 1);
}

/// Splits off the first word: "bob hi there" → {"bob", "hi there"}.
std::pair<std::string, std::string> first_word(const std::string& x) {
  auto s = trim(x);
  auto space = s.find_first_of(" \t");
  if (space == std::string::npos)
    return {s, {}};
  return {s.substr(0, space), trim(s.substr(space))};
}

command invalid(std::string why) {
  command result;
  result.kind = command_kind::invalid;
  result.error = std::move(why);
  return result;
}

/// `sigil` is what the prompt shows before such names (`#room`, `@bob`):
/// typed back, it is not part of the name.
command with_target(command_kind kind, const std::string& rest, const char* usage,
                    char sigil) {
  auto [target, text] = first_word(rest);
  if (target.size() > 1 && target[0] == sigil)
    target.erase(0, 1);
  if (target.empty())
    return invalid(std::string{"usage: "} + usage);
  command result;
  result.kind = kind;
  result.target = target;
  result.text = text;
  return result;
}

/// A transfer id as typed: 4 to 32 lowercase hex digits (a prefix of one).
bool looks_like_id(const std::string& word) {
  return word.size() >= 4 && word.size() <= 32 &&
         word.find_first_not_of("0123456789abcdef") == std::string::npos;
}

/// /send, /accept, /decline, /transfers, /cancel; kind none if `name` is
/// none of them.
command parse_file_command(const std::string& name, const std::string& rest) {
  command result;
  if (name == "send") {
    result = with_target(command_kind::offer, rest, "/send <user> <path>", '@');
    if (result.kind == command_kind::offer && rest.starts_with("#"))
      return invalid("files go to one user: /send <user> <path>");
    return result; // without a path, the CLI says how to use it
  }
  if (name == "accept") {
    // "/accept", "/accept ID", "/accept ID PATH", "/accept PATH".
    auto [word, more] = first_word(rest);
    result.kind = command_kind::accept;
    if (looks_like_id(word)) {
      result.target = word;
      result.text = more;
    } else {
      result.text = trim(rest);
    }
    return result;
  }
  if (name == "decline" || name == "cancel") {
    auto [word, more] = first_word(rest);
    auto kind = name == "decline" ? command_kind::decline : command_kind::cancel;
    auto usage = name == "decline" ? "usage: /decline [id]" : "usage: /cancel <id>";
    if (!more.empty() || (kind == command_kind::cancel && word.empty()))
      return invalid(usage);
    result.kind = kind;
    result.target = word;
    return result;
  }
  if (name == "transfers" || name == "files") {
    result.kind = command_kind::files;
    return result;
  }
  return result;
}

command menu_choice(const std::string& line) {
  // The original menu asked for the name after the choice; here the name
  // may follow the number ("1 bob") or come with the slash command.
  auto [number, rest] = first_word(line);
  static const char* const commands[] = {"/msg", "/join",   "/open",
                                         "/who", "/insult", "/quit"};
  auto index = number[0] - '1';
  auto rewritten = std::string{commands[index]} + (rest.empty() ? "" : " " + rest);
  auto result = parse_command(rewritten, false);
  if (result.kind == command_kind::invalid)
    result.error += " (menu " + number + ")";
  return result;
}

} // namespace

command parse_command(const std::string& raw, bool in_lobby) {
  auto line = trim(raw);
  if (line.empty())
    return {};
  if (in_lobby && line.size() >= 1 && line[0] >= '1' && line[0] <= '6' &&
      (line.size() == 1 || line[1] == ' '))
    return menu_choice(line);
  if (line[0] != '/') {
    command result;
    result.kind = command_kind::text;
    result.text = raw;
    return result;
  }
  if (line.starts_with("//")) { // escape: a message that starts with '/'
    command result;
    result.kind = command_kind::text;
    result.text = line.substr(1);
    return result;
  }
  auto [name, rest] = first_word(line.substr(1));
  if (name == "msg" || name == "m")
    return with_target(command_kind::msg, rest, "/msg <user> [text]", '@');
  if (name == "join" || name == "j") {
    auto result =
        with_target(command_kind::join, rest, "/join <group> [--transient]", '#');
    if (result.text == "--transient") {
      result.transient = true;
      result.text.clear();
    } else if (!result.text.empty() && result.kind == command_kind::join) {
      return invalid("usage: /join <group> [--transient]");
    }
    return result;
  }
  if (name == "open" || name == "o")
    return with_target(command_kind::open, rest, "/open <group>", '#');
  if (name == "leave")
    return with_target(command_kind::leave, rest, "/leave <group>", '#');
  if (name == "trust")
    return with_target(command_kind::trust, rest, "/trust <user>", '@');
  auto simple = [&](command_kind kind) {
    command result;
    result.kind = kind;
    result.text = rest;
    return result;
  };
  if (name == "groups" || name == "chats" || name == "list")
    return simple(command_kind::groups);
  if (name == "who" || name == "discover")
    return simple(command_kind::who);
  if (name == "insult")
    return simple(command_kind::insult);
  if (name == "history")
    return simple(command_kind::history);
  if (name == "back" || name == "lobby")
    return simple(command_kind::back);
  if (name == "help" || name == "h" || name == "?")
    return simple(command_kind::help);
  if (name == "quit" || name == "exit" || name == "q")
    return simple(command_kind::quit);
  if (name == "window" || name == "win" || name == "w") {
    auto result = with_target(command_kind::window, rest, "/window <number>", '#');
    if (result.kind == command_kind::window &&
        (result.target.find_first_not_of("0123456789") != std::string::npos ||
         result.target.size() > 3))
      return invalid("usage: /window <number>");
    return result;
  }
  if (name == "names" || name == "n") {
    auto result = simple(command_kind::names);
    result.target = first_word(rest).first;
    if (result.target.size() > 1 && result.target[0] == '#')
      result.target.erase(0, 1);
    result.text.clear();
    return result;
  }
  if (auto file = parse_file_command(name, rest); file.kind != command_kind::none)
    return file;
  return invalid("unknown command /" + name + " (try /help)");
}

std::vector<std::string> help_lines() {
  return {
      "/msg <user> [text]          open a private chat with <user>, or send it <text>",
      "/join <group> [--transient] subscribe to <group> and open it",
      "/open <group>               open a group you subscribed to",
      "/leave <group>              unsubscribe from <group>",
      "/groups                     your chats with unread counts",
      "/who                        who is online (discovery, refreshed every 3 s)",
      "/insult [text]              enter the insult channel, or send an insult",
      "/history                    the open chat's history again",
      "/trust <user>               accept <user>'s new identity key after a "
      "\"key changed\" warning",
      "/back, Ctrl+C               back to the lobby (Ctrl+C in the lobby: quit)",
      "/quit, Ctrl+D               leave cleanly",
      "/window <n>, Alt+<n>        full screen: show window n (Ctrl+N/P: next/previous)",
      "/names [group]              who in the group is online (one discovery round)",
      "/send <user> <path>         offer a file to <user> (resumable, SHA-256 checked)",
      "/accept [id] [path]         take an offered file (into chat.download-dir, or "
      "<path>)",
      "/decline [id]               refuse an offered file",
      "/transfers                  file offers and transfers under way",
      "/cancel <id>                stop a file transfer",
      "PgUp/PgDn scroll back; Tab completes commands, names, groups ('nick: ')",
      "lobby menu: 1 private chat  2 subscribe group  3 open group  4 discover  5 "
      "insults  6 exit",
      "in a chat, plain text is sent to it; start with // to send a line beginning with "
      "/",
  };
}

std::vector<std::string> command_names() {
  return {"/msg",     "/join",   "/open",    "/leave",     "/groups", "/who",   "/insult",
          "/history", "/back",   "/help",    "/quit",      "/window", "/names", "/trust",
          "/send",    "/accept", "/decline", "/transfers", "/cancel"};
}

} // namespace chat::cli
