#define CAF_SUITE text_width
#include <caf/test/unit_test.hpp>

#include "adapters/client/text_width.hpp"

using chat::display_width;

CAF_TEST(widths count columns of UTF - 8 and not bytes) {
  CAF_CHECK_EQUAL(display_width("alice"), 5u);
  CAF_CHECK_EQUAL(display_width("Olá, ça va? Ñandú"), 17u);
  CAF_CHECK_EQUAL(display_width("café"), 4u);
  CAF_CHECK_EQUAL(display_width("cafe\xcc\x81"), 4u); // e + combining acute
  CAF_CHECK_EQUAL(display_width("日本語"), 6u);
  CAF_CHECK_EQUAL(display_width("한국어"), 6u);
  CAF_CHECK_EQUAL(display_width("🎉"), 2u);
  CAF_CHECK_EQUAL(display_width("❤\xef\xb8\x8f"), 1u); // + variation selector 16
  CAF_CHECK_EQUAL(display_width("Ｆｕｌｌ"), 8u);
  CAF_CHECK_EQUAL(display_width("—"), 1u);
  // Invalid or truncated UTF-8: one column per byte, never a crash.
  CAF_CHECK_EQUAL(display_width("a\xff\xfe"), 3u);
  CAF_CHECK_EQUAL(display_width("\xe6\x97"), 2u);
  CAF_CHECK_EQUAL(display_width(""), 0u);
}
