#define CAF_SUITE ui_styled_text
#include <caf/test/unit_test.hpp>

#include "cli/client/ui/styled_text.hpp"

using namespace chat::ui;

CAF_TEST(sgr sequences become styles) {
  auto line =
      parse_sgr("\033[2m12:00\033[0m \033[1;38;5;166mbob\033[0m │ hi \033[1;31m!\033[0m");
  CAF_REQUIRE_EQUAL(line.size(), 5u);
  CAF_CHECK_EQUAL(line[0].text, "12:00");
  CAF_CHECK(line[0].style.dim);
  CAF_CHECK_EQUAL(line[1].text, " ");
  CAF_CHECK(line[1].style == text_style{});
  CAF_CHECK_EQUAL(line[2].text, "bob");
  CAF_CHECK_EQUAL(line[2].style.fg, 166);
  CAF_CHECK(line[2].style.bold);
  CAF_CHECK_EQUAL(line[4].style.fg, 1);
  CAF_CHECK_EQUAL(plain_text(line), "12:00 bob │ hi !");
}

CAF_TEST(other escapes are dropped and text stays byte exact) {
  auto line = parse_sgr("a\033[2Jb\033]0;title\007c 日本");
  CAF_CHECK_EQUAL(plain_text(line).substr(0, 2), "ab");
  CAF_CHECK_EQUAL(plain_text(parse_sgr("Olá 🎉👍🏽")), "Olá 🎉👍🏽");
}

CAF_TEST(slices keep styles) {
  auto line = parse_sgr("ab\033[1mcd\033[0mef");
  auto part = slice(line, 1, 5);
  CAF_CHECK_EQUAL(plain_text(part), "bcde");
  CAF_REQUIRE_EQUAL(part.size(), 3u);
  CAF_CHECK(part[1].style.bold);
  CAF_CHECK(!part[2].style.bold);
}
