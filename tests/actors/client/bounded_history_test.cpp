#define CAF_SUITE bounded_history
#include <caf/test/unit_test.hpp>

#include "actors/client/bounded_history.hpp"

using namespace chat;

CAF_TEST(the history keeps the newest events in order) {
  bounded_history h{3};
  for (int i = 0; i < 5; ++i) {
    chat_event ev;
    ev.text = std::to_string(i);
    h.push(ev);
  }
  auto events = h.snapshot();
  CAF_REQUIRE_EQUAL(events.size(), 3u);
  CAF_CHECK_EQUAL(events.front().text, "2");
  CAF_CHECK_EQUAL(events.back().text, "4");
}

CAF_TEST(redeliveries are recognised and the id memory stays bounded) {
  bounded_history h{2};
  CAF_CHECK(h.first_time("a"));
  CAF_CHECK(!h.first_time("a"));
  CAF_CHECK(h.first_time(""));
  CAF_CHECK(h.first_time(""));
  for (auto id : {"b", "c", "d", "e"})
    CAF_CHECK(h.first_time(id));
  // "a" fell out of the last 2 × capacity ids.
  CAF_CHECK(h.first_time("a"));
  CAF_CHECK(!h.first_time("e"));
}

CAF_TEST(the history stays within its byte budget whatever the senders send) {
  bounded_history h{1000, 10'000};
  chat_event big;
  big.text = std::string(4000, 'x');
  for (int i = 0; i < 300; ++i)
    h.push(big);
  CAF_CHECK_LESS_OR_EQUAL(h.bytes(), 10'000u);
  CAF_CHECK_EQUAL(h.size(), 2u);
  chat_event small;
  small.text = "hi";
  h.push(small);
  CAF_CHECK_EQUAL(h.snapshot().back().text, "hi");
  CAF_CHECK_LESS_OR_EQUAL(h.bytes(), 10'000u);
}
