#define CAF_SUITE ui_completion
#include <caf/test/unit_test.hpp>

#include "cli/client/ui/completion.hpp"
#include "cli/client/ui/highlight.hpp"

using namespace chat::ui;

namespace {

completion_words words() {
  return {{"/msg", "/join", "/open", "/leave", "/who", "/window", "/names"},
          {"bob", "Bea", "carol"},
          {"room", "rust"}};
}

std::vector<std::string> cands(const std::string& line) {
  return complete(line, line.size(), words()).candidates;
}

using strings = std::vector<std::string>;

} // namespace

CAF_TEST(commands at the start of a line) {
  CAF_CHECK_EQUAL(cands("/wi"), strings{"/window "});
  CAF_CHECK_EQUAL(cands("/w"), (strings{"/who ", "/window "}));
  CAF_CHECK_EQUAL(cands("/x"), strings{});
  CAF_CHECK_EQUAL(complete("/jo", 3, words()).word_start, 0u);
}

CAF_TEST(users as nick colon at the start and plain later) {
  CAF_CHECK_EQUAL(cands("b"), (strings{"Bea: ", "bob: "}));
  CAF_CHECK_EQUAL(cands("ca"), strings{"carol: "});
  CAF_CHECK_EQUAL(cands("hi ca"), strings{"carol "});
  CAF_CHECK_EQUAL(complete("hi ca", 5, words()).word_start, 3u);
  CAF_CHECK_EQUAL(cands("/msg c"), strings{"carol "});
}

CAF_TEST(groups after a hash or a group command) {
  CAF_CHECK_EQUAL(cands("/join r"), (strings{"room ", "rust "}));
  CAF_CHECK_EQUAL(cands("/open ro"), strings{"room "});
  CAF_CHECK_EQUAL(cands("see #ru"), strings{"#rust "});
  CAF_CHECK_EQUAL(cands("/msg ro"), strings{});
}

CAF_TEST(mentions are whole words in any case) {
  CAF_CHECK(mentions("alice: hi", "alice"));
  CAF_CHECK(mentions("hi @Alice!", "alice"));
  CAF_CHECK(mentions("ALICE", "alice"));
  CAF_CHECK(!mentions("malice", "alice"));
  CAF_CHECK(!mentions("alice_2 said", "alice"));
  CAF_CHECK(!mentions("aliceñ", "alice"));
  CAF_CHECK(!mentions("", "alice"));
  CAF_CHECK(!mentions("bob", ""));
  CAF_CHECK(mentions("¿alice?", "alice"));
}
