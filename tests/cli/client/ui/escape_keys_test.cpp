#define CAF_SUITE ui_escape_keys
#include <caf/test/unit_test.hpp>

#include "cli/client/ui/escape_keys.hpp"

using namespace chat::ui;

namespace {

escape_key key_of(std::u32string_view after) {
  auto result = decode_escape(after);
  CAF_CHECK(!result.incomplete);
  CAF_CHECK_EQUAL(result.length, after.size());
  return result.key;
}

} // namespace

CAF_TEST(home and end as each terminal sends them) {
  CAF_CHECK(key_of(U"[1~") == escape_key::home); // screen, tmux
  CAF_CHECK(key_of(U"[4~") == escape_key::end);
  CAF_CHECK(key_of(U"[7~") == escape_key::home); // rxvt
  CAF_CHECK(key_of(U"[8~") == escape_key::end);
  CAF_CHECK(key_of(U"[H") == escape_key::home); // xterm
  CAF_CHECK(key_of(U"[F") == escape_key::end);
  CAF_CHECK(key_of(U"OH") == escape_key::home); // xterm, application mode
  CAF_CHECK(key_of(U"OF") == escape_key::end);
}

CAF_TEST(pages arrows and delete) {
  CAF_CHECK(key_of(U"[5~") == escape_key::page_up);
  CAF_CHECK(key_of(U"[6~") == escape_key::page_down);
  CAF_CHECK(key_of(U"[3~") == escape_key::del);
  CAF_CHECK(key_of(U"[A") == escape_key::up);
  CAF_CHECK(key_of(U"OB") == escape_key::down);
  CAF_CHECK(key_of(U"[1;5C") == escape_key::right); // Ctrl+Right
  CAF_CHECK(key_of(U"[5;5~") == escape_key::page_up);
}

CAF_TEST(keys we do not bind are swallowed whole) {
  CAF_CHECK(key_of(U"OP") == escape_key::none);    // F1 (xterm)
  CAF_CHECK(key_of(U"[11~") == escape_key::none);  // F1 (rxvt)
  CAF_CHECK(key_of(U"[15~") == escape_key::none);  // F5
  CAF_CHECK(key_of(U"[24~") == escape_key::none);  // F12
  CAF_CHECK(key_of(U"[2~") == escape_key::none);   // Insert
  CAF_CHECK(key_of(U"[[A") == escape_key::none);   // F1 (linux console)
  CAF_CHECK(key_of(U"[7^") == escape_key::none);   // Ctrl+Home (rxvt)
  CAF_CHECK(key_of(U"[1;2P") == escape_key::none); // Shift+F1
  CAF_CHECK(key_of(U"x") == escape_key::none);     // Alt+x
}

CAF_TEST(partial sequences wait for more) {
  CAF_CHECK(decode_escape(U"[").incomplete);
  CAF_CHECK(decode_escape(U"[1").incomplete);
  CAF_CHECK(decode_escape(U"[20").incomplete);
  CAF_CHECK(decode_escape(U"O").incomplete);
  CAF_CHECK(decode_escape(U"[[").incomplete);
}

CAF_TEST(what follows a sequence is not part of it) {
  auto result = decode_escape(U"[4~abc");
  CAF_CHECK(result.key == escape_key::end);
  CAF_CHECK_EQUAL(result.length, 3u);
  auto alt = decode_escape(U"3x");
  CAF_CHECK(alt.key == escape_key::alt_digit);
  CAF_CHECK_EQUAL(alt.digit, 3);
  CAF_CHECK_EQUAL(alt.length, 1u);
  // ESC ESC: the second ESC starts a sequence of its own.
  CAF_CHECK_EQUAL(decode_escape(U"\x1b[A").length, 0u);
  CAF_CHECK_EQUAL(decode_escape(U"").length, 0u);
}

CAF_TEST(bracketed paste markers) {
  CAF_CHECK(key_of(U"[200~") == escape_key::paste_begin);
  CAF_CHECK(key_of(U"[201~") == escape_key::paste_end);
}
