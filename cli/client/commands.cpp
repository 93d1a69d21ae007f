#include "cli/client/commands.hpp"

#include <algorithm>
#include <cctype>

namespace chat::cli {

namespace {

std::string trim(const std::string& x) {
  auto first = x.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  auto last = x.find_last_not_of(" \t\r\n");
  return x.substr(first, last - first + 1);
}

std::string lower(std::string x) {
  for (auto& c : x)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return x;
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

struct entry {
  command_kind kind;
  command_help help;
};

const std::vector<entry>& entries() {
  static const std::vector<entry> table = {
      {command_kind::msg,
       {"/msg",
        {"/m"},
        "<user|#group> [text]",
        "send <text> to a user or a group you are in; without text: open the chat"}},
      {command_kind::query,
       {"/query",
        {"/q"},
        "<user> [text]",
        "open a private chat with <user> (and send <text>)"}},
      {command_kind::join,
       {"/join", {"/j"}, "<group> [--transient]", "subscribe to <group> and open it"}},
      {command_kind::open, {"/open", {}, "<group>", "open a group you subscribed to"}},
      {command_kind::leave,
       {"/leave",
        {"/part"},
        "[group]",
        "unsubscribe from <group> (without one: the open group)"}},
      {command_kind::close,
       {"/close",
        {"/wc"},
        "[@user|#group|who|insults]",
        "close the shown window (a group's: leave the group)"}},
      {command_kind::window,
       {"/window",
        {"/win"},
        "<n>|list|close",
        "show window n, list the windows, close the shown one (Alt+<n>, Ctrl+N/P)"}},
      {command_kind::groups,
       {"/groups", {"/chats", "/list"}, "", "your chats with unread counts"}},
      {command_kind::who,
       {"/who",
        {"/w", "/discover"},
        "",
        "who is online (discovery, refreshed every 3 s)"}},
      {command_kind::names,
       {"/names", {"/n"}, "[group]", "who in the group is online (one discovery round)"}},
      {command_kind::me,
       {"/me", {}, "<action>", "an action in the open chat (* alice waves)"}},
      {command_kind::insult,
       {"/insult", {}, "[text]", "enter the insult channel, or send an insult"}},
      {command_kind::history, {"/history", {}, "", "the open chat's history again"}},
      {command_kind::clear, {"/clear", {"/c", "/cl"}, "", "empty the shown window"}},
      {command_kind::lastlog,
       {"/lastlog",
        {"/last"},
        "<text>",
        "the shown window's lines that contain <text> (any case)"}},
      {command_kind::whois,
       {"/whois",
        {"/wi"},
        "<user>",
        "<user>'s address, groups and whole identity key (compare it out of band before "
        "/trust)"}},
      {command_kind::trust,
       {"/trust",
        {},
        "<user>",
        "accept <user>'s new identity key after a \"key changed\" warning (held messages "
        "go out)"}},
      {command_kind::back,
       {"/back", {"/lobby"}, "", "back to the lobby (the status window)"}},
      {command_kind::help,
       {"/help",
        {"/h", "/?"},
        "[command]",
        "this list, or one command with its aliases"}},
      {command_kind::quit,
       {"/quit",
        {"/exit", "/bye", "/signoff"},
        "",
        "leave cleanly (also Ctrl+D on an empty line)"}},
  };
  return table;
}

const entry* find_entry(const std::string& typed) {
  auto name = lower(typed);
  if (!name.starts_with('/'))
    name.insert(0, "/");
  for (auto& e : entries())
    if (e.help.name == name || std::find(e.help.aliases.begin(), e.help.aliases.end(),
                                         name) != e.help.aliases.end())
      return &e;
  return nullptr;
}

std::string usage_of(command_kind kind) {
  for (auto& e : entries())
    if (e.kind == kind)
      return "usage: " + e.help.name + " " + e.help.usage;
  return {};
}

/// Drops the sigil the prompt shows before such names (`#room`, `@bob`):
/// typed back, it is not part of the name.
std::string without_sigil(std::string name, char sigil) {
  if (name.size() > 1 && name[0] == sigil)
    name.erase(0, 1);
  return name;
}

command with_target(command_kind kind, const std::string& rest, char sigil,
                    bool required = true) {
  auto [target, text] = first_word(rest);
  target = without_sigil(target, sigil);
  if (target.empty() && required)
    return invalid(usage_of(kind));
  command result;
  result.kind = kind;
  result.target = target;
  result.text = text;
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

command parse_args(command_kind kind, const std::string& rest) {
  switch (kind) {
  case command_kind::msg: {
    auto [target, text] = first_word(rest);
    if (target.size() > 1 && target[0] == '#') {
      auto result = with_target(kind, rest, '#');
      result.to_group = true;
      return result;
    }
    return with_target(kind, rest, '@');
  }
  case command_kind::query: {
    auto result = with_target(kind, rest, '@');
    if (result.target.starts_with('#'))
      return invalid(usage_of(kind) + " (a group: /join or /open)");
    return result;
  }
  case command_kind::join: {
    auto result = with_target(kind, rest, '#');
    if (result.text == "--transient") {
      result.transient = true;
      result.text.clear();
    } else if (!result.text.empty() && result.kind == command_kind::join) {
      return invalid(usage_of(kind));
    }
    return result;
  }
  case command_kind::open:
    return with_target(kind, rest, '#');
  case command_kind::leave: // "/part #room bye": IRC's part message is ignored
    return with_target(kind, rest, '#', false);
  case command_kind::trust:
  case command_kind::whois:
    return with_target(kind, rest, '@');
  case command_kind::close: {
    command result;
    result.kind = kind;
    result.target = first_word(rest).first;
    return result;
  }
  case command_kind::window: {
    command result;
    result.kind = kind;
    result.target = lower(first_word(rest).first);
    if (result.target.empty())
      result.target = "list";
    auto number = result.target.find_first_not_of("0123456789") == std::string::npos;
    if ((number && result.target.size() > 3) ||
        (!number && result.target != "list" && result.target != "close"))
      return invalid(usage_of(kind));
    return result;
  }
  case command_kind::names: {
    command result;
    result.kind = kind;
    result.target = without_sigil(first_word(rest).first, '#');
    return result;
  }
  case command_kind::me:
  case command_kind::lastlog:
    if (rest.empty())
      return invalid(usage_of(kind));
    [[fallthrough]];
  default: {
    command result;
    result.kind = kind;
    result.text = rest;
    return result;
  }
  }
}

} // namespace

command parse_command(const std::string& raw, bool menu_numbers) {
  auto line = trim(raw);
  if (line.empty())
    return {};
  if (menu_numbers && line[0] >= '1' && line[0] <= '6' &&
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
  auto found = find_entry(name);
  if (found == nullptr)
    return invalid("unknown command /" + name + " (try /help)");
  return parse_args(found->kind, rest);
}

const std::vector<command_help>& command_table() {
  static const std::vector<command_help> table = [] {
    std::vector<command_help> result;
    for (auto& e : entries())
      result.push_back(e.help);
    return result;
  }();
  return table;
}

namespace {

/// "/msg, /m <user|#group> [text]".
std::string synopsis(const command_help& c) {
  auto names = c.name;
  for (auto& alias : c.aliases)
    names += ", " + alias;
  return c.usage.empty() ? names : names + " " + c.usage;
}

} // namespace

std::vector<std::string> help_lines() {
  std::vector<std::string> lines;
  size_t width = 0;
  for (auto& c : command_table())
    width = std::max(width, synopsis(c).size());
  for (auto& c : command_table()) {
    auto left = synopsis(c);
    left.resize(width + 2, ' ');
    lines.push_back(left + c.summary);
  }
  lines.emplace_back("keys: PgUp/PgDn scroll back; Tab completes commands, names, groups "
                     "('nick: '); Alt+<n> window n; Ctrl+N/P next/previous window");
  lines.emplace_back("in a chat, plain text is sent to it; start with // to send a line "
                     "beginning with /; /help <command> for one command");
  lines.emplace_back(
      "--plain lobby menu: 1 private chat  2 subscribe group  3 open group  "
      "4 discover  5 insults  6 exit");
  return lines;
}

std::optional<std::vector<std::string>> help_for(const std::string& name) {
  auto found = find_entry(first_word(name).first);
  if (found == nullptr)
    return std::nullopt;
  auto& c = found->help;
  std::vector<std::string> lines;
  lines.push_back(c.usage.empty() ? c.name : c.name + " " + c.usage);
  lines.push_back("  " + c.summary);
  if (!c.aliases.empty()) {
    std::string aliases = "  aliases:";
    for (auto& alias : c.aliases)
      aliases += " " + alias;
    lines.push_back(aliases);
  }
  return lines;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (auto& c : command_table())
    names.push_back(c.name);
  return names;
}

} // namespace chat::cli
