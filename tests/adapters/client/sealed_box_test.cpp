#define CAF_SUITE sealed_box
#include <caf/test/unit_test.hpp>

#include "adapters/client/sealed_box.hpp"

#include <string>

using namespace chat;

CAF_TEST(what is sealed to a key opens with that key only) {
  auto bob = ed25519_key::generate();
  auto eve = ed25519_key::generate();
  auto box = seal_to(bob->public_hex(), "hello bob");
  CAF_REQUIRE(box);
  CAF_CHECK(box->find("hello bob") == std::string::npos);
  auto opened = open_sealed(*bob, *box);
  CAF_REQUIRE(opened);
  CAF_CHECK_EQUAL(*opened, "hello bob");
  CAF_CHECK(!open_sealed(*eve, *box));
}

CAF_TEST(a changed box does not open) {
  auto bob = ed25519_key::generate();
  auto box = *seal_to(bob->public_hex(), "hello bob");
  for (size_t i : {size_t{0}, box.size() / 2, box.size() - 1}) {
    auto bad = box;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    CAF_CHECK(!open_sealed(*bob, bad));
  }
  CAF_CHECK(!open_sealed(*bob, box.substr(0, box.size() - 1)));
  CAF_CHECK(!open_sealed(*bob, ""));
}

CAF_TEST(malformed keys seal nothing) {
  CAF_CHECK(!seal_to("", "x"));
  CAF_CHECK(!seal_to("zz", "x"));
  CAF_CHECK(!seal_to(std::string(62, 'a'), "x"));
}
