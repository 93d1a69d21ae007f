#define CAF_SUITE ui_paste
#include <caf/test/unit_test.hpp>

#include "cli/client/ui/paste.hpp"

using namespace chat::ui;

CAF_TEST(one line goes into the input line at the cursor) {
  auto result = insert_paste(U"hello world", 6, U"big ");
  CAF_REQUIRE_EQUAL(result.lines.size(), 1u);
  CAF_CHECK(result.lines[0] == U"hello big world");
  CAF_CHECK_EQUAL(result.cursor, 10u);
  // A line break at the end sends nothing by itself.
  auto trailing = insert_paste(U"", 0, U"abc\r\n");
  CAF_REQUIRE_EQUAL(trailing.lines.size(), 1u);
  CAF_CHECK(trailing.lines[0] == U"abc");
  CAF_CHECK_EQUAL(trailing.cursor, 3u);
}

CAF_TEST(several lines are split at each kind of line break) {
  auto result = insert_paste(U"> ", 2, U"one\ntwo\r\nthree\rfour\n");
  CAF_REQUIRE_EQUAL(result.lines.size(), 4u);
  CAF_CHECK(result.lines[0] == U"> one");
  CAF_CHECK(result.lines[1] == U"two");
  CAF_CHECK(result.lines[2] == U"three");
  CAF_CHECK(result.lines[3] == U"four");
  CAF_CHECK(join_lines(result.lines) == U"> one two three four");
}

CAF_TEST(control characters in a paste are no text) {
  auto result = insert_paste(U"", 0, U"a\x1b[31mb\x07");
  CAF_REQUIRE_EQUAL(result.lines.size(), 1u);
  CAF_CHECK(result.lines[0] == U"a[31mb");
}
