#define CAF_SUITE cluster_join
#include "tests/dsl.hpp"

#include "adapters/server/cluster_join.hpp"

using namespace chat;
using namespace chat::cluster;

namespace {

const std::string nonce = "00112233445566778899aabbccddeeff";

bundle sample() {
  bundle b;
  b.node = "10.0.0.1";
  b.members = {"10.0.0.1", "10.0.0.2"};
  b.redis_master = "10.0.0.1";
  b.secrets_conf = "redis-password=abc\namqp-member-password=def\n";
  b.key_pem = "-----BEGIN PRIVATE KEY-----\nxyz\n-----END PRIVATE KEY-----\n";
  b.cert_pem = "-----BEGIN CERTIFICATE-----\nuvw\n-----END CERTIFICATE-----\n";
  return b;
}

} // namespace

CAF_TEST(a join request proves the secret and names the newcomer) {
  auto req = parse_request("s3cret", make_request("s3cret", nonce, "10.0.0.2"));
  CAF_REQUIRE(req);
  CAF_CHECK(req->authentic);
  CAF_CHECK_EQUAL(req->nonce, nonce);
  CAF_CHECK_EQUAL(req->node, "10.0.0.2");
  auto wrong = parse_request("s3cret", make_request("other", nonce, "10.0.0.2"));
  CAF_REQUIRE(wrong);
  CAF_CHECK(!wrong->authentic);
  // Another address under the same MAC is not authentic either.
  auto text = make_request("s3cret", nonce, "10.0.0.2");
  text.replace(text.find("10.0.0.2"), 8, "10.0.0.9");
  CAF_CHECK(!parse_request("s3cret", text)->authentic);
  CAF_CHECK(!parse_request("s3cret", "DISCOVERY_REQUEST"));
  CAF_CHECK(!parse_request("s3cret", "CLUSTER_JOIN:short:10.0.0.2:00"));
}

CAF_TEST(a bundle opens only under the same secret and nonce) {
  auto reply = make_bundle_reply("s3cret", nonce, sample());
  bundle out;
  CAF_CHECK(parse_answer("s3cret", nonce, reply, out) == answer_kind::bundle);
  CAF_CHECK(out == sample());
  bundle none;
  CAF_CHECK(parse_answer("other", nonce, reply, none) == answer_kind::unrelated);
  auto other_nonce = "ffeeddccbbaa99887766554433221100";
  CAF_CHECK(parse_answer("s3cret", other_nonce, reply, none) == answer_kind::unrelated);
  // One flipped hex digit of the seal.
  auto tampered = reply;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  CAF_CHECK(parse_answer("s3cret", nonce, tampered, none) == answer_kind::unrelated);
  CAF_CHECK(none == bundle{});
}

CAF_TEST(a refusal names the request it answers) {
  bundle out;
  CAF_CHECK(parse_answer("s3cret", nonce, make_refusal(nonce), out) ==
            answer_kind::refused);
  CAF_CHECK(parse_answer("s3cret", nonce,
                         make_refusal("ffeeddccbbaa99887766554433221100"),
                         out) == answer_kind::unrelated);
}

CAF_TEST(the bundle text form round trips and rejects garbage) {
  auto b = sample();
  CAF_CHECK(decode(encode(b)) == b);
  CAF_CHECK(!decode("node=zz\n"));
  CAF_CHECK(!decode(""));
}

CAF_TEST(the erlang cookie depends on the secret only) {
  CAF_CHECK_EQUAL(erlang_cookie("a"), erlang_cookie("a"));
  CAF_CHECK_NOT_EQUAL(erlang_cookie("a"), erlang_cookie("b"));
  CAF_CHECK_EQUAL(erlang_cookie("a").size(), 40u);
}
