#define CAF_SUITE names
#include <caf/test/unit_test.hpp>

#include "actors/common/names.hpp"

using chat::name_problem;

CAF_TEST(valid names pass) {
  CAF_CHECK(name_problem("alice").empty());
  CAF_CHECK(name_problem("Bob_2-x").empty());
  CAF_CHECK(name_problem(std::string(32, 'a')).empty());
}

CAF_TEST(names that would break routing keys are refused) {
  for (auto bad : {"a.b", "a*", "room#", "two words", "a:b", "", "1abc", "_x", "é"})
    CAF_CHECK(!name_problem(bad).empty());
  CAF_CHECK(!name_problem(std::string(33, 'a')).empty());
  CAF_CHECK_EQUAL(name_problem("a b"),
                  "a name has only letters, digits, '_' and '-' (not a space)");
}
