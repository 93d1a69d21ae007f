#define CAF_SUITE send_arguments
#include <caf/test/unit_test.hpp>

#include "cli/run.hpp"

using namespace chat;

CAF_TEST(send takes a peer or a group and the words of the text) {
  std::vector<std::string> args{"--to", "bob", "hello", "there", "--chat.name=alice"};
  client_flags flags;
  CAF_CHECK_EQUAL(take_send_arguments(args, flags), "");
  CAF_CHECK_EQUAL(flags.to, "bob");
  CAF_CHECK_EQUAL(flags.text, "hello there");
  CAF_REQUIRE_EQUAL(args.size(), 1u);
  CAF_CHECK_EQUAL(args[0], "--chat.name=alice");
  std::vector<std::string> group{"--group=room", "hi"};
  client_flags g;
  CAF_CHECK_EQUAL(take_send_arguments(group, g), "");
  CAF_CHECK_EQUAL(g.group, "room");
}

CAF_TEST(send refuses ambiguous or empty requests) {
  client_flags a;
  std::vector<std::string> both{"--to", "bob", "--group", "room", "x"};
  CAF_CHECK(!take_send_arguments(both, a).empty());
  client_flags b;
  std::vector<std::string> none{"hello"};
  CAF_CHECK(!take_send_arguments(none, b).empty());
  client_flags c;
  std::vector<std::string> empty{"--to", "bob"};
  CAF_CHECK(!take_send_arguments(empty, c).empty());
}
