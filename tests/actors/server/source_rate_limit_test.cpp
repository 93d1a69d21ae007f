#define CAF_SUITE source_rate_limit
#include "tests/dsl.hpp"

#include "actors/server/source_rate_limit.hpp"

using namespace chat;
using namespace std::chrono_literals;

namespace {

caf::timestamp at(caf::timespan x) {
  return caf::timestamp{} + 1h + x;
}

} // namespace

CAF_TEST(a source gets its burst at once then its rate) {
  source_rate_limit limit{rate_limit_policy{4, 2, 1000, 16}};
  int allowed = 0;
  for (int i = 0; i < 10; ++i)
    allowed += limit.admit("10.0.0.9", at(0s)) ? 1 : 0;
  CAF_CHECK_EQUAL(allowed, 4);
  CAF_CHECK(!limit.admit("10.0.0.9", at(100ms)));
  CAF_CHECK(limit.admit("10.0.0.9", at(600ms))); // 2 per second: one more
  auto refused = limit.take_refusals();
  CAF_CHECK_EQUAL(refused.datagrams, 7u);
  CAF_CHECK_EQUAL(refused.sources, 1u);
  CAF_CHECK_EQUAL(limit.take_refusals().datagrams, 0u);
}

CAF_TEST(a flooding source leaves others their share) {
  source_rate_limit limit{rate_limit_policy{4, 2, 1000, 16}};
  for (int i = 0; i < 100; ++i)
    limit.admit("10.0.0.66", at(0s));
  CAF_CHECK(limit.admit("10.0.0.7", at(0s)));
}

CAF_TEST(spoofed sources share the total bucket) {
  source_rate_limit limit{rate_limit_policy{4, 2, 10, 16}};
  int allowed = 0;
  for (int i = 0; i < 1000; ++i)
    allowed +=
        limit.admit("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250),
                    at(0s))
            ? 1
            : 0;
  CAF_CHECK_EQUAL(allowed, 10);
  CAF_CHECK_EQUAL(limit.take_refusals().sources, 16u); // counted up to max_sources
  CAF_CHECK(limit.admit("10.0.0.7", at(1s)));
}
