#define CAF_SUITE commands
#include <caf/test/unit_test.hpp>

#include "cli/client/commands.hpp"

#include <algorithm>

using namespace chat::cli;

CAF_TEST(slash commands take their arguments) {
  auto msg = parse_command("/msg bob hello there", false);
  CAF_CHECK(msg.kind == command_kind::msg);
  CAF_CHECK_EQUAL(msg.target, "bob");
  CAF_CHECK_EQUAL(msg.text, "hello there");
  auto join = parse_command("/join room --transient", false);
  CAF_CHECK(join.kind == command_kind::join);
  CAF_CHECK_EQUAL(join.target, "room");
  CAF_CHECK(join.transient);
  CAF_CHECK(parse_command("/join room", false).transient == false);
  CAF_CHECK(parse_command("/quit", false).kind == command_kind::quit);
  CAF_CHECK(parse_command("/who", false).kind == command_kind::who);
  CAF_CHECK_EQUAL(parse_command("/insult you fool", false).text, "you fool");
}

CAF_TEST(plain text and escapes) {
  auto text = parse_command("  hi there  ", false);
  CAF_CHECK(text.kind == command_kind::text);
  CAF_CHECK_EQUAL(text.text, "  hi there  ");
  auto escaped = parse_command("//not a command", false);
  CAF_CHECK(escaped.kind == command_kind::text);
  CAF_CHECK_EQUAL(escaped.text, "/not a command");
  CAF_CHECK(parse_command("   ", false).kind == command_kind::none);
}

CAF_TEST(mistakes get a reason) {
  auto missing = parse_command("/msg", false);
  CAF_CHECK(missing.kind == command_kind::invalid);
  CAF_CHECK_EQUAL(missing.error, "usage: /msg <user|#group> [text]");
  CAF_CHECK(parse_command("/frobnicate", false).kind == command_kind::invalid);
  CAF_CHECK(parse_command("/join room extra", false).kind == command_kind::invalid);
}

CAF_TEST(the original menu numbers work in the lobby only) {
  CAF_CHECK(parse_command("1 bob", true).kind == command_kind::msg);
  CAF_CHECK_EQUAL(parse_command("1 bob", true).target, "bob");
  CAF_CHECK(parse_command("2 room", true).kind == command_kind::join);
  CAF_CHECK(parse_command("3 room", true).kind == command_kind::open);
  CAF_CHECK(parse_command("4", true).kind == command_kind::who);
  CAF_CHECK(parse_command("5", true).kind == command_kind::insult);
  CAF_CHECK(parse_command("6", true).kind == command_kind::quit);
  CAF_CHECK(parse_command("1", true).kind == command_kind::invalid);
  CAF_CHECK(parse_command("6", false).kind == command_kind::text);
  CAF_CHECK(parse_command("12 monkeys", true).kind == command_kind::text);
}

CAF_TEST(names may carry the sigil the prompt shows) {
  CAF_CHECK_EQUAL(parse_command("/join #room", false).target, "room");
  CAF_CHECK_EQUAL(parse_command("/join #room --transient", false).target, "room");
  CAF_CHECK_EQUAL(parse_command("/open #room", false).target, "room");
  CAF_CHECK_EQUAL(parse_command("/leave #room", false).target, "room");
  CAF_CHECK_EQUAL(parse_command("2 #room", true).target, "room");
  CAF_CHECK_EQUAL(parse_command("/msg @bob hi", false).target, "bob");
  CAF_CHECK_EQUAL(parse_command("/msg @bob hi", false).text, "hi");
  // Only one sigil, and only the matching one: the rest is up to name rules.
  CAF_CHECK_EQUAL(parse_command("/join @room", false).target, "@room");
  CAF_CHECK(parse_command("/join #", false).kind == command_kind::join);
}

CAF_TEST(window and names commands) {
  auto win = parse_command("/window 3", false);
  CAF_CHECK(win.kind == command_kind::window);
  CAF_CHECK_EQUAL(win.target, "3");
  CAF_CHECK(parse_command("/window three", false).kind == command_kind::invalid);
  CAF_CHECK_EQUAL(parse_command("/window", false).target, "list");
  CAF_CHECK_EQUAL(parse_command("/window LIST", false).target, "list");
  CAF_CHECK_EQUAL(parse_command("/window close", false).target, "close");
  CAF_CHECK_EQUAL(parse_command("/window 0", false).target, "0");
  auto names = parse_command("/names #room", false);
  CAF_CHECK(names.kind == command_kind::names);
  CAF_CHECK_EQUAL(names.target, "room");
  CAF_CHECK(parse_command("/names", false).target.empty());
  auto all = command_names();
  CAF_CHECK(std::find(all.begin(), all.end(), "/window") != all.end());
  for (auto& name : all)
    CAF_CHECK(parse_command(name + " 1", false).kind != command_kind::invalid);
}

CAF_TEST(the aliases of irssi and WeeChat) {
  // /q is /query (it never quits); /w is /who, /n /names, /m /msg.
  auto q = parse_command("/q bob", false);
  CAF_CHECK(q.kind == command_kind::query);
  CAF_CHECK_EQUAL(q.target, "bob");
  CAF_CHECK_EQUAL(parse_command("/query @bob hi there", false).text, "hi there");
  CAF_CHECK(parse_command("/query #room", false).kind == command_kind::invalid);
  CAF_CHECK(parse_command("/w", false).kind == command_kind::who);
  CAF_CHECK(parse_command("/n", false).kind == command_kind::names);
  CAF_CHECK(parse_command("/m bob hi", false).kind == command_kind::msg);
  CAF_CHECK(parse_command("/j room", false).kind == command_kind::join);
  CAF_CHECK(parse_command("/part", false).kind == command_kind::leave);
  CAF_CHECK(parse_command("/wc", false).kind == command_kind::close);
  CAF_CHECK(parse_command("/cl", false).kind == command_kind::clear);
  for (auto name : {"/quit", "/exit", "/bye", "/signoff"})
    CAF_CHECK(parse_command(name, false).kind == command_kind::quit);
  // Every alias is in /help.
  auto help = help_lines();
  for (auto& c : command_table())
    for (auto& alias : c.aliases)
      CAF_CHECK(std::any_of(help.begin(), help.end(), [&](const std::string& line) {
        return line.find(", " + alias + " ") != std::string::npos ||
               line.find(", " + alias + ",") != std::string::npos ||
               line.find(", " + alias + "  ") != std::string::npos;
      }));
}

CAF_TEST(command names are case -insensitive) {
  CAF_CHECK(parse_command("/LEAVE", false).kind == command_kind::leave);
  CAF_CHECK(parse_command("/Msg bob Hi", false).kind == command_kind::msg);
  CAF_CHECK_EQUAL(parse_command("/Msg bob Hi", false).text, "Hi");
  CAF_CHECK(parse_command("/QUIT", false).kind == command_kind::quit);
}

CAF_TEST(msg to a group) {
  auto msg = parse_command("/msg #room hi all", false);
  CAF_CHECK(msg.kind == command_kind::msg);
  CAF_CHECK(msg.to_group);
  CAF_CHECK_EQUAL(msg.target, "room");
  CAF_CHECK_EQUAL(msg.text, "hi all");
  CAF_CHECK(!parse_command("/msg bob hi", false).to_group);
}

CAF_TEST(leave and close take an optional target) {
  auto leave = parse_command("/leave", false);
  CAF_CHECK(leave.kind == command_kind::leave);
  CAF_CHECK(leave.target.empty());
  CAF_CHECK_EQUAL(parse_command("/part #room bye all", false).target, "room");
  CAF_CHECK(parse_command("/close", false).target.empty());
  CAF_CHECK_EQUAL(parse_command("/close @bob", false).target, "@bob");
}

CAF_TEST(me clear and help for one command) {
  auto me = parse_command("/me waves", false);
  CAF_CHECK(me.kind == command_kind::me);
  CAF_CHECK_EQUAL(me.text, "waves");
  CAF_CHECK(parse_command("/me", false).kind == command_kind::invalid);
  CAF_CHECK(parse_command("/clear", false).kind == command_kind::clear);
  CAF_CHECK_EQUAL(parse_command("/help q", false).text, "q");
  auto query = help_for("q");
  CAF_REQUIRE(query.has_value());
  CAF_CHECK_EQUAL(query->front(), "/query <user> [text]");
  CAF_CHECK_EQUAL(query->back(), "  aliases: /q");
  CAF_CHECK(help_for("/QUERY").has_value());
  CAF_CHECK(!help_for("frobnicate").has_value());
}

CAF_TEST(menu numbers only where asked for) {
  // The full screen's status window passes false: text stays text.
  CAF_CHECK(parse_command("6 is my lucky number", false).kind == command_kind::text);
  CAF_CHECK(parse_command("1 bob", false).kind == command_kind::text);
  CAF_CHECK(parse_command("2 apples and oranges", false).kind == command_kind::text);
}

CAF_TEST(whois takes a user) {
  auto whois = parse_command("/wi @bob", false);
  CAF_CHECK(whois.kind == command_kind::whois);
  CAF_CHECK_EQUAL(whois.target, "bob");
  CAF_CHECK(parse_command("/whois", false).kind == command_kind::invalid);
}

CAF_TEST(lastlog takes the text to find) {
  auto last = parse_command("/last lunch at noon", false);
  CAF_CHECK(last.kind == command_kind::lastlog);
  CAF_CHECK_EQUAL(last.text, "lunch at noon");
  CAF_CHECK(parse_command("/lastlog", false).kind == command_kind::invalid);
}
