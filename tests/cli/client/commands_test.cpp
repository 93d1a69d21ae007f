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
  CAF_CHECK_EQUAL(missing.error, "usage: /msg <user> [text]");
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
  CAF_CHECK_EQUAL(parse_command("/msg #bob", false).target, "#bob");
  CAF_CHECK(parse_command("/join #", false).kind == command_kind::join);
}

CAF_TEST(window and names commands) {
  auto win = parse_command("/window 3", false);
  CAF_CHECK(win.kind == command_kind::window);
  CAF_CHECK_EQUAL(win.target, "3");
  CAF_CHECK(parse_command("/window three", false).kind == command_kind::invalid);
  CAF_CHECK(parse_command("/window", false).kind == command_kind::invalid);
  auto names = parse_command("/names #room", false);
  CAF_CHECK(names.kind == command_kind::names);
  CAF_CHECK_EQUAL(names.target, "room");
  CAF_CHECK(parse_command("/names", false).target.empty());
  auto all = command_names();
  CAF_CHECK(std::find(all.begin(), all.end(), "/window") != all.end());
  for (auto& name : all)
    CAF_CHECK(parse_command(name + " 1", false).kind != command_kind::invalid);
}
