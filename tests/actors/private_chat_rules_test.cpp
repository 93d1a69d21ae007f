#define CAF_SUITE private_chat_rules
#include <caf/test/unit_test.hpp>

#include "actors/private_chat_rules.hpp"
#include "adapters/ed25519.hpp"

using namespace chat;
using namespace chat::private_chat;

CAF_TEST(utf8 validation accepts text and refuses malformed bytes) {
  CAF_CHECK(valid_utf8("hello"));
  CAF_CHECK(valid_utf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
  CAF_CHECK(!valid_utf8("\xff"));
  CAF_CHECK(!valid_utf8("\xc3"));             // truncated
  CAF_CHECK(!valid_utf8("\xc0\xaf"));         // overlong '/'
  CAF_CHECK(!valid_utf8("\xed\xa0\x80"));     // surrogate
  CAF_CHECK(!valid_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
  CAF_CHECK(!valid_utf8("a\x80z"));           // stray continuation
}

CAF_TEST(text rules limit the size in bytes) {
  CAF_CHECK_EQUAL(text_problem(std::string(4096, 'x'), 4096), "");
  CAF_CHECK_NOT_EQUAL(text_problem(std::string(4097, 'x'), 4096), "");
  CAF_CHECK_NOT_EQUAL(text_problem("\xff", 4096), "");
  // Size counts bytes, not characters: two 2-byte characters in 3 bytes fail.
  CAF_CHECK_NOT_EQUAL(text_problem("\xc3\xa9\xc3\xa9", 3), "");
}

CAF_TEST(display strips control characters but keeps tabs and text) {
  CAF_CHECK_EQUAL(displayable("a\tb"), "a\tb");
  CAF_CHECK_EQUAL(displayable("line\nfake: hi\r\x1b[2J\x7f!"), "linefake: hi[2J!");
  CAF_CHECK_EQUAL(displayable("x\xc2\x9by\xc3\xa9"), "xy\xc3\xa9"); // C1 CSI removed
  CAF_CHECK_EQUAL(displayable(std::string{"a\0b", 3}), "ab");
}

CAF_TEST(the signed payload binds every field) {
  auto base = signed_payload("bob", "alice", "k", "hi", 1);
  CAF_CHECK_NOT_EQUAL(base, signed_payload("bob", "carol", "k", "hi", 1));
  CAF_CHECK_NOT_EQUAL(base, signed_payload("bob", "alice", "k2", "hi", 1));
  CAF_CHECK_NOT_EQUAL(base, signed_payload("bob", "alice", "k", "hi", 2));
  CAF_CHECK_NOT_EQUAL(base, signed_payload("bob", "alice", "k", "hi!", 1));
  // Length prefixes: moving bytes between fields changes the payload.
  CAF_CHECK_NOT_EQUAL(signed_payload("bo", "balice", "k", "hi", 1),
                      signed_payload("bob", "alice", "k", "hi", 1));
}

CAF_TEST(ed25519 signatures verify only with the right key and data) {
  auto bob = ed25519_key::generate();
  auto eve = ed25519_key::generate();
  CAF_CHECK_EQUAL(bob->public_hex().size(), 64u);
  CAF_CHECK_NOT_EQUAL(bob->public_hex(), eve->public_hex());
  auto sig = bob->sign("payload");
  CAF_CHECK_EQUAL(sig.size(), 64u);
  CAF_CHECK(ed25519_verify(bob->public_hex(), "payload", sig));
  CAF_CHECK(!ed25519_verify(bob->public_hex(), "payload!", sig));
  CAF_CHECK(!ed25519_verify(eve->public_hex(), "payload", sig));
  CAF_CHECK(!ed25519_verify(bob->public_hex(), "payload", eve->sign("payload")));
  CAF_CHECK(!ed25519_verify("zz", "payload", sig));
  CAF_CHECK(!ed25519_verify(bob->public_hex(), "payload", "short"));
}
