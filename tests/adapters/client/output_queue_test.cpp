#define CAF_SUITE output_queue
#include <caf/test/unit_test.hpp>

#include "adapters/client/output_queue.hpp"

#include <vector>

using namespace chat;

namespace {

output_queue make_queue(size_t capacity) {
  return output_queue{capacity, [](size_t n) { return "dropped " + std::to_string(n); }};
}

std::vector<std::string> drain(output_queue& q) {
  std::vector<std::string> result;
  while (auto line = q.pop())
    result.emplace_back(std::move(*line));
  return result;
}

} // namespace

CAF_TEST(lines pass in order while there is room) {
  auto q = make_queue(3); // bytes
  q.push("a");
  q.push("b");
  CAF_CHECK_EQUAL(drain(q), (std::vector<std::string>{"a", "b"}));
  CAF_CHECK(!q.pop());
  CAF_CHECK_EQUAL(q.dropped_total(), 0u);
}

CAF_TEST(a full queue drops and says so once where the gap is) {
  auto q = make_queue(2);
  for (auto x : {"1", "2", "3", "4", "5"})
    q.push(x);
  CAF_CHECK_EQUAL(q.size(), 2u);
  auto first = q.pop();
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(*first, "1");
  q.push("6"); // room again: the notice comes before it
  CAF_CHECK_EQUAL(drain(q), (std::vector<std::string>{"2", "dropped 3", "6"}));
  CAF_CHECK_EQUAL(q.dropped_total(), 3u);
}

CAF_TEST(the notice comes also when nothing follows the gap) {
  auto q = make_queue(1);
  q.push("1");
  q.push("2");
  CAF_CHECK_EQUAL(drain(q), (std::vector<std::string>{"1", "dropped 1"}));
}

CAF_TEST(memory stays bounded under a flood) {
  auto q = make_queue(100'000); // bytes
  for (int i = 0; i < 100'000; ++i)
    q.push(std::string(1000, 'x'));
  CAF_CHECK_EQUAL(q.size(), 100u);
  CAF_CHECK_LESS_OR_EQUAL(q.bytes(), 100'000u);
  CAF_CHECK_EQUAL(q.dropped_total(), 99'900u);
}

CAF_TEST(a line longer than the bound still passes alone) {
  auto q = make_queue(10);
  q.push(std::string(50, 'x'));
  q.push("next");
  CAF_CHECK_EQUAL(drain(q),
                  (std::vector<std::string>{std::string(50, 'x'), "dropped 1"}));
  CAF_CHECK_EQUAL(q.bytes(), 0u);
}
