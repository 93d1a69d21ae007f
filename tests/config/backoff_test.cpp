#define CAF_SUITE backoff
#include "tests/dsl.hpp"

#include "config/backoff.hpp"

using namespace chat;
using namespace std::chrono_literals;

CAF_TEST(delays double up to the maximum and give up after the last attempt) {
  backoff b{backoff_policy{1s, 4s, 0.0, 4}};
  CAF_CHECK_EQUAL(b.next(), caf::timespan{1s});
  CAF_CHECK_EQUAL(b.next(), caf::timespan{2s});
  CAF_CHECK_EQUAL(b.next(), caf::timespan{4s});
  CAF_CHECK_EQUAL(b.next(), caf::timespan{4s});
  CAF_CHECK(!b.next());
  CAF_CHECK_EQUAL(b.failures(), 4);
  b.reset();
  CAF_CHECK_EQUAL(b.next(), caf::timespan{1s});
}

CAF_TEST(without a limit it never gives up and jitter stays within its share) {
  backoff b{backoff_policy{100ms, 200ms, 0.5, 0}};
  for (int i = 0; i < 100; ++i) {
    auto delay = b.next();
    CAF_REQUIRE(delay);
    auto base = i == 0 ? caf::timespan{100ms} : caf::timespan{200ms};
    CAF_CHECK(*delay >= base && *delay <= base + base / 2);
  }
}
