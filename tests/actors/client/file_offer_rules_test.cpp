#define CAF_SUITE file_offer_rules
#include <caf/test/unit_test.hpp>

#include "actors/client/file_offer_rules.hpp"
#include "actors/client/private_chat_keys.hpp"

using namespace chat;

namespace {

struct fixture {
  fixture() {
    alice = session_keys::ephemeral();
    entry = alice.publish("alice", endpoint{"10.0.0.2", 4000});
    entry.tls_port = 4000;
    entry = alice.publish("alice", entry);
    file_offer o;
    o.id = new_transfer_id();
    o.sender = "alice";
    o.receiver = "bob";
    o.name = "report.pdf";
    o.size = 12345;
    o.sha256 = std::string(64, 'a');
    offer = sign_offer(o, *alice.identity);
    offer.peer_cert = alice.tls->fingerprint;
  }
  session_keys alice;
  endpoint entry;
  file_offer offer;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(file_offer_rules_tests, fixture)

CAF_TEST(a signed offer from the certificate of the sender passes) {
  CAF_CHECK_EQUAL(offer_problem(offer, entry, "bob"), "");
  CAF_CHECK(is_hex(offer.id, 32));
  CAF_CHECK_NOT_EQUAL(new_transfer_id(), new_transfer_id());
}

CAF_TEST(an offer signed by another key is refused) {
  auto mallory = ed25519_key::generate();
  auto forged = sign_offer(offer, *mallory);
  forged.peer_cert = offer.peer_cert;
  CAF_CHECK_NOT_EQUAL(offer_problem(forged, entry, "bob"), "");
}

CAF_TEST(a changed field breaks the signature) {
  auto bigger = offer;
  bigger.size += 1;
  CAF_CHECK_NOT_EQUAL(offer_problem(bigger, entry, "bob"), "");
  auto renamed = offer;
  renamed.name = "report.exe";
  CAF_CHECK_NOT_EQUAL(offer_problem(renamed, entry, "bob"), "");
  auto rehashed = offer;
  rehashed.sha256 = std::string(64, 'b');
  CAF_CHECK_NOT_EQUAL(offer_problem(rehashed, entry, "bob"), "");
}

CAF_TEST(an offer from another certificate or for someone else is refused) {
  auto stranger = offer;
  stranger.peer_cert = std::string(64, '0');
  CAF_CHECK_NOT_EQUAL(offer_problem(stranger, entry, "bob"), "");
  auto plain = offer;
  plain.peer_cert.clear();
  CAF_CHECK_NOT_EQUAL(offer_problem(plain, entry, "bob"), "");
  CAF_CHECK_NOT_EQUAL(offer_problem(offer, entry, "carol"), "");
  CAF_CHECK_NOT_EQUAL(offer_problem(offer, endpoint{"10.0.0.2", 4000}, "bob"), "");
}

CAF_TEST(malformed ids and hashes are refused) {
  auto short_id = offer;
  short_id.id = "abc";
  CAF_CHECK_NOT_EQUAL(offer_problem(short_id, entry, "bob"), "");
  auto bad_hash = offer;
  bad_hash.sha256 = "xyz";
  CAF_CHECK_NOT_EQUAL(offer_problem(bad_hash, entry, "bob"), "");
}

CAF_TEST_FIXTURE_SCOPE_END()
