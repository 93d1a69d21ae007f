#define CAF_SUITE ui_wrap
#include <caf/test/unit_test.hpp>

#include "adapters/client/text_width.hpp"
#include "cli/client/ui/wrap.hpp"

using namespace chat::ui;
using chat::display_width;

namespace {

std::vector<std::string> rows(std::string_view text, size_t width, size_t indent) {
  return wrap_text(text, width, indent);
}

} // namespace

CAF_TEST(short lines stay one row) {
  CAF_CHECK_EQUAL(rows("hello", 10, 0), std::vector<std::string>{"hello"});
  CAF_CHECK_EQUAL(rows("", 10, 0), std::vector<std::string>{""});
  CAF_CHECK_EQUAL(rows("exactly10!", 10, 0), std::vector<std::string>{"exactly10!"});
}

CAF_TEST(lines break at spaces and continue under the indent) {
  auto r = rows("aaa bbb ccc ddd", 9, 2);
  CAF_CHECK_EQUAL(r, (std::vector<std::string>{"aaa bbb", "  ccc ddd"}));
  auto long_word = rows("abcdefghijkl", 5, 0);
  CAF_CHECK_EQUAL(long_word, (std::vector<std::string>{"abcde", "fghij", "kl"}));
  auto under = rows("12:00   bob │ one two three four", 20, 14);
  CAF_CHECK_EQUAL(
      under, (std::vector<std::string>{"12:00   bob │ one", "              two",
                                       "              three", "              four"}));
}

CAF_TEST(wide characters take two columns and are never split) {
  // 日本語 is 6 columns: at width 5 the third character goes down.
  auto cjk = rows("日本語", 5, 0);
  CAF_CHECK_EQUAL(cjk, (std::vector<std::string>{"日本", "語"}));
  auto emoji = rows("ab🎉🎉🎉", 5, 0);
  CAF_CHECK_EQUAL(emoji, (std::vector<std::string>{"ab🎉", "🎉🎉"}));
  for (auto& row :
       rows("Olá, ça va? Ñandú — 日本語 🎉👍🏽 café und noch mehr Text",
            12, 2))
    CAF_CHECK_LESS_OR_EQUAL(display_width(row), 12u);
  // A combining accent stays with its letter (it takes no column).
  CAF_CHECK_EQUAL(rows("cafe\xcc\x81 ok", 5, 0),
                  (std::vector<std::string>{"cafe\xcc\x81", "ok"}));
}

CAF_TEST(the text column of rendered lines) {
  CAF_CHECK_EQUAL(text_column("12:00   bob │ hi"), 14u);
  CAF_CHECK_EQUAL(text_column("12:00   you │ 日本"), 14u);
  CAF_CHECK_EQUAL(text_column("12:00 * joined room"), 8u);
  CAF_CHECK_EQUAL(text_column("12:00 something"), 6u);
  CAF_CHECK_EQUAL(text_column("-- reconnecting"), 0u);
}

CAF_TEST(styled lines wrap with their colours) {
  auto line = parse_sgr(
      "\033[2m12:00\033[0m \033[1;38;5;32m  bob\033[0m │ one two three four five six");
  auto wrapped = wrap_styled(line, 30);
  CAF_REQUIRE_EQUAL(wrapped.size(), 2u);
  CAF_CHECK_EQUAL(plain_text(wrapped[0]), "12:00   bob │ one two three");
  CAF_CHECK_EQUAL(plain_text(wrapped[1]), "              four five six");
  CAF_CHECK_EQUAL(wrapped[0][2].style.fg, 32);
  CAF_CHECK(wrapped[0][2].style.bold);
  // Too narrow for the indent: continuation rows start at column 0.
  auto narrow = wrap_styled(line, 16);
  CAF_CHECK_EQUAL(plain_text(narrow[1]).substr(0, 3), "one");
}
