#define CAF_SUITE server_list
#include "tests/dsl.hpp"

#include "adapters/common/server_list.hpp"

#include <algorithm>

using namespace chat;

CAF_TEST(a comma separated list is split and trimmed without duplicates) {
  using v = std::vector<std::string>;
  CAF_CHECK(server_list::parse("10.0.0.1") == v{"10.0.0.1"});
  CAF_CHECK(server_list::parse(" a , b,,c ,a") == (v{"a", "b", "c"}));
  CAF_CHECK(server_list::parse("").empty());
}

CAF_TEST(the server that worked last is tried first and the rest shuffled) {
  server_list list{std::vector<std::string>{"a", "b", "c", "d"}};
  auto initial = list.candidates();
  CAF_CHECK_EQUAL(initial.front(), "a");
  list.worked("c");
  bool other_orders = false;
  auto first = list.candidates();
  for (int i = 0; i < 50; ++i) {
    auto now = list.candidates();
    CAF_CHECK_EQUAL(now.front(), "c");
    CAF_CHECK_EQUAL(now.size(), 4u);
    other_orders |= now != first;
  }
  CAF_CHECK(other_orders);
}

CAF_TEST(members learned later are added once) {
  server_list list{std::vector<std::string>{"a"}};
  list.merge({"b", "a", "", "c"});
  list.merge({"c"});
  auto all = list.all();
  std::sort(all.begin(), all.end());
  CAF_CHECK(all == (std::vector<std::string>{"a", "b", "c"}));
}
