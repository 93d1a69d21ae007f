#define CAF_SUITE split_text
#include <caf/test/unit_test.hpp>

#include "cli/client/split_text.hpp"

#include <string>

using namespace chat::cli;

CAF_TEST(a text within the limit is one piece) {
  auto pieces = split_text("hello", 10);
  CAF_REQUIRE_EQUAL(pieces.size(), 1u);
  CAF_CHECK_EQUAL(pieces[0], "hello");
  CAF_CHECK_EQUAL(split_text("", 10).size(), 1u);
}

CAF_TEST(long texts split at a space) {
  auto pieces = split_text("aaaa bbbb cccc dddd", 10);
  CAF_REQUIRE_EQUAL(pieces.size(), 2u);
  CAF_CHECK_EQUAL(pieces[0], "aaaa bbbb");
  CAF_CHECK_EQUAL(pieces[1], "cccc dddd");
}

CAF_TEST(without a space a text splits at a character boundary) {
  // "é" is two bytes: a cut at byte 5 would fall inside the third one.
  std::string text = "éééééé"; // 12 bytes
  auto pieces = split_text(text, 5);
  CAF_REQUIRE_EQUAL(pieces.size(), 3u);
  for (auto& piece : pieces) {
    CAF_CHECK_LESS_OR_EQUAL(piece.size(), 5u);
    CAF_CHECK_EQUAL(piece, "éé");
  }
  // 4-byte characters, limit 4100 as the "message too long" case.
  std::string emoji;
  for (int i = 0; i < 1025; ++i)
    emoji += "🎉";
  auto halves = split_text(emoji, 4096);
  CAF_REQUIRE_EQUAL(halves.size(), 2u);
  CAF_CHECK_EQUAL(halves[0].size(), 4096u);
  CAF_CHECK_EQUAL(halves[0] + halves[1], emoji);
}

CAF_TEST(nothing but the split spaces is lost) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "word" + std::to_string(i) + " ";
  auto pieces = split_text(text, 4096);
  CAF_CHECK_GREATER(pieces.size(), 1u);
  std::string joined;
  for (auto& piece : pieces) {
    CAF_CHECK_LESS_OR_EQUAL(piece.size(), 4096u);
    joined += (joined.empty() ? "" : " ") + piece;
  }
  CAF_CHECK_EQUAL(joined, text);
}
