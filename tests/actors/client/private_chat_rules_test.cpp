#define CAF_SUITE private_chat_rules
#include <caf/test/unit_test.hpp>

#include "actors/client/private_chat_keys.hpp"
#include "actors/client/private_chat_rules.hpp"
#include "adapters/common/ed25519.hpp"
#include "adapters/common/openssl_util.hpp"

#include <vector>

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

CAF_TEST(framed fields cannot run together) {
  CAF_CHECK_NOT_EQUAL(framed("t", {"bo", "balice"}), framed("t", {"bob", "alice"}));
  CAF_CHECK_NOT_EQUAL(framed("t", {"a"}), framed("u", {"a"}));
  CAF_CHECK_NOT_EQUAL(message_aad("bob", "alice", 1), message_aad("bob", "alice", 2));
  CAF_CHECK_NOT_EQUAL(message_aad("bob", "alice", 1), message_aad("alice", "bob", 1));
}

CAF_TEST(both peers agree on the pair context and nonces differ by direction) {
  CAF_CHECK_EQUAL(pair_context("alice", "k1", "bob", "k2"),
                  pair_context("bob", "k2", "alice", "k1"));
  CAF_CHECK_NOT_EQUAL(pair_context("alice", "k1", "bob", "k2"),
                      pair_context("alice", "k1", "bob", "k3"));
  CAF_CHECK_EQUAL(message_nonce("k1", "k2", 7).size(), 12u);
  CAF_CHECK_NOT_EQUAL(message_nonce("k1", "k2", 7), message_nonce("k2", "k1", 7));
  CAF_CHECK_NOT_EQUAL(message_nonce("k1", "k2", 7), message_nonce("k1", "k2", 8));
}

CAF_TEST(base64 round trips and refuses what is not canonical) {
  for (std::string x : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                "foobar", std::string{"\0\xff\x10", 3}})
    CAF_CHECK_EQUAL(base64_decode(base64_encode(x)), std::optional<std::string>{x});
  CAF_CHECK_EQUAL(base64_encode("foobar"), "Zm9vYmFy");
  CAF_CHECK_EQUAL(base64_encode("fo"), "Zm8=");
  CAF_CHECK(!base64_decode("Zm8"));   // length
  CAF_CHECK(!base64_decode("Zm9="));  // padding bits set
  CAF_CHECK(!base64_decode("Z=8="));  // padding inside
  CAF_CHECK(!base64_decode("Zm8\n")); // not a digit
}

CAF_TEST(sealed messages open only with the same key and fields) {
  auto alice = session_keys::ephemeral();
  auto bob = session_keys::ephemeral();
  auto eve = session_keys::ephemeral();
  auto at_alice =
      pair_key::derive(*alice.session, "alice", "bob", bob.session->public_hex());
  auto at_bob =
      pair_key::derive(*bob.session, "bob", "alice", alice.session->public_hex());
  auto at_eve =
      pair_key::derive(*eve.session, "bob", "alice", alice.session->public_hex());
  CAF_REQUIRE(at_alice && at_bob && at_eve);
  auto sealed = at_alice->seal("alice", "bob", 5, "hola, ça va? 日本");
  CAF_CHECK_EQUAL(at_bob->open("alice", "bob", 5, sealed),
                  std::optional<std::string>{"hola, ça va? 日本"});
  CAF_CHECK(!at_bob->open("alice", "bob", 6, sealed)); // other seq
  CAF_CHECK(!at_bob->open("carol", "bob", 5, sealed)); // other sender
  CAF_CHECK(!at_eve->open("alice", "bob", 5, sealed)); // other key
  CAF_CHECK(!pair_key::derive(*alice.session, "alice", "bob", "zz"));
  CAF_CHECK(!pair_key::derive(*alice.session, "alice", "bob", std::string(64, '0')));
}

CAF_TEST(a session key is vouched for only by its identity and name) {
  auto bob = session_keys::ephemeral();
  auto ep = bob.publish("bob", endpoint{"h", 1});
  CAF_CHECK(vouched("bob", ep));
  CAF_CHECK(!vouched("bobby", ep));
  auto other = ep;
  other.session_key = session_keys::ephemeral().session->public_hex();
  CAF_CHECK(!vouched("bob", other));
  other = ep;
  other.public_key = session_keys::ephemeral().identity->public_hex();
  CAF_CHECK(!vouched("bob", other));
  CAF_CHECK(!vouched("bob", endpoint{"h", 1}));
}

CAF_TEST(a certificate is vouched for only by its identity name and session) {
  auto bob = session_keys::ephemeral();
  auto ep = bob.publish("bob", endpoint{"h", 1});
  CAF_CHECK_EQUAL(ep.tls_cert, bob.tls->fingerprint);
  CAF_CHECK_EQUAL(ep.tls_cert.size(), 64u);
  CAF_CHECK(tls_vouched("bob", ep));
  CAF_CHECK(!tls_vouched("bobby", ep));
  auto other = ep;
  other.tls_cert = session_keys::ephemeral().tls->fingerprint;
  CAF_CHECK(!tls_vouched("bob", other));
  other = ep;
  other.session_key = session_keys::ephemeral().session->public_hex();
  CAF_CHECK(!tls_vouched("bob", other)); // bound to the session too
  other = ep;
  other.tls_sig = ep.session_key_sig;
  CAF_CHECK(!tls_vouched("bob", other));
  CAF_CHECK(!tls_vouched("bob", endpoint{"h", 1}));
  // The fingerprint is SHA-256 of the DER, read back from the PEM.
  CAF_CHECK_EQUAL(pem_fingerprint(bob.tls->cert_pem), bob.tls->fingerprint);
  CAF_CHECK_EQUAL(pem_fingerprint("not a certificate"), "");
  CAF_CHECK_NOT_EQUAL(tls_cert_payload("bob", "k", "s", "c"),
                      tls_cert_payload("bob", "k", "sc", ""));
}

CAF_TEST(ed25519 matches the RFC 8032 test vectors) {
  // RFC 8032 section 7.1, TEST 1 and TEST 2: the seed gives the public key
  // and the signature of any standard implementation (OpenSSL wrote the
  // identity files before), and those signatures verify.
  struct vector {
    const char* seed;
    const char* public_key;
    std::string message;
    const char* signature;
  };
  vector vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
       "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "\x72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
       "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (auto& v : vectors) {
    std::string seed;
    std::string signature;
    CAF_REQUIRE(openssl::from_hex(v.seed, seed));
    CAF_REQUIRE(openssl::from_hex(v.signature, signature));
    auto key = ed25519_key::from_private(seed);
    CAF_REQUIRE(key != nullptr);
    CAF_CHECK_EQUAL(key->public_hex(), v.public_key);
    CAF_CHECK_EQUAL(key->private_bytes(), seed);
    CAF_CHECK_EQUAL(openssl::to_hex(key->sign(v.message)), v.signature);
    CAF_CHECK(ed25519_verify(v.public_key, v.message, signature));
  }
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
