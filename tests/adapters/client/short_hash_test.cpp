#define CAF_SUITE short_hash
#include <caf/test/unit_test.hpp>

#include "adapters/client/short_hash.hpp"

#include <set>
#include <string>

using namespace chat;

CAF_TEST(one hasher is deterministic and spreads near ids apart) {
  short_hasher h;
  CAF_CHECK_EQUAL(h("alice-1"), h("alice-1"));
  std::set<uint64_t> seen;
  for (int i = 0; i < 10'000; ++i)
    seen.insert(h("alice-" + std::to_string(i)));
  CAF_CHECK_EQUAL(seen.size(), 10'000u);
}

CAF_TEST(each hasher has its own key) {
  // What one receiver's hashes are says nothing about another's: a sender
  // cannot aim a collision at them.
  short_hasher a;
  short_hasher b;
  CAF_CHECK_NOT_EQUAL(a("alice-1"), b("alice-1"));
}
