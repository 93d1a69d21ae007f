#define CAF_SUITE broker_account
#include "tests/dsl.hpp"

#include "adapters/common/broker_account.hpp"
#include "adapters/server/broker_permissions.hpp"

#include <nlohmann/json.hpp>

#include <regex>

using namespace chat;
using namespace chat::broker_account;

namespace {

const std::string nonce = "00112233445566778899aabbccddeeff";
const std::string code_password = "member-password";

/// RabbitMQ matches permissions with Erlang's `re` (PCRE); these regexes
/// use nothing ECMAScript reads differently.
bool allows(const std::string& permission, const std::string& resource) {
  return std::regex_search(resource, std::regex{permission});
}

struct fixture {
  std::shared_ptr<const ed25519_key> alice = ed25519_key::generate();
  std::shared_ptr<const x25519_key> ephemeral = x25519_key::generate();

  std::string request_text(const std::string& password = code_password) const {
    return make_request(password, "alice", *alice, *ephemeral, nonce);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(broker_account_tests, fixture)

CAF_TEST(a request proves the join code and the identity key) {
  auto req = parse_request(code_password, request_text());
  CAF_REQUIRE(req);
  CAF_CHECK(req->member);
  CAF_CHECK(req->signed_by_identity);
  CAF_CHECK_EQUAL(req->name, "alice");
  CAF_CHECK_EQUAL(req->identity, alice->public_hex());
  auto stranger = parse_request(code_password, request_text("old-code"));
  CAF_REQUIRE(stranger);
  CAF_CHECK(!stranger->member);
  CAF_CHECK(stranger->signed_by_identity);
  // Mallory puts her name on alice's signed request.
  auto text = request_text();
  text.replace(text.find(":alice:"), 7, ":mally:");
  auto forged = parse_request(code_password, text);
  CAF_REQUIRE(forged);
  CAF_CHECK(!forged->signed_by_identity);
  CAF_CHECK(!forged->member);
  CAF_CHECK(!parse_request(code_password, "DISCOVERY_REQUEST"));
  CAF_CHECK(!parse_request(code_password, "ACCOUNT_REQUEST:" + nonce + ":a.b:00"));
}

CAF_TEST(only the requester opens a grant) {
  auto req = parse_request(code_password, request_text());
  CAF_REQUIRE(req);
  auto grant = make_grant(*req, "user:alice", "pw");
  auto got = parse_answer(grant, nonce, "alice", alice->public_hex(), *ephemeral);
  CAF_REQUIRE(got.what == answer::granted);
  CAF_CHECK_EQUAL(got.account.user, "user:alice");
  CAF_CHECK_EQUAL(got.account.password, "pw");
  auto other = x25519_key::generate();
  CAF_CHECK(parse_answer(grant, nonce, "alice", alice->public_hex(), *other).what ==
            answer::unrelated);
  CAF_CHECK(parse_answer(grant, "ffeeddccbbaa99887766554433221100", "alice",
                         alice->public_hex(), *ephemeral)
                .what == answer::unrelated);
  auto tampered = grant;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  CAF_CHECK(
      parse_answer(tampered, nonce, "alice", alice->public_hex(), *ephemeral).what ==
      answer::unrelated);
}

CAF_TEST(a refusal names the request and the reason) {
  auto text = make_refusal(nonce, refusal::name_bound);
  auto got = parse_answer(text, nonce, "alice", alice->public_hex(), *ephemeral);
  CAF_CHECK(got.what == answer::refused);
  CAF_CHECK(got.why == refusal::name_bound);
  CAF_CHECK(parse_answer(text, "ffeeddccbbaa99887766554433221100", "alice",
                         alice->public_hex(), *ephemeral)
                .what == answer::unrelated);
}

CAF_TEST(a password belongs to one name and one key) {
  auto other = ed25519_key::generate();
  auto pw = account_password("secret", "alice", alice->public_hex());
  CAF_CHECK_EQUAL(pw, account_password("secret", "alice", alice->public_hex()));
  CAF_CHECK_NOT_EQUAL(pw, account_password("secret", "alice", other->public_hex()));
  CAF_CHECK_NOT_EQUAL(pw, account_password("secret", "bob", alice->public_hex()));
  CAF_CHECK_NOT_EQUAL(pw, account_password("other", "alice", alice->public_hex()));
}

CAF_TEST(throwaway names belong to the who command) {
  CAF_CHECK(is_throwaway_name(make_throwaway_name()));
  CAF_CHECK(is_throwaway_name("who0a1b2c"));
  CAF_CHECK(!is_throwaway_name("whoami123"));
  CAF_CHECK(!is_throwaway_name("who0a1b2"));
  CAF_CHECK(!is_throwaway_name("alice"));
  CAF_CHECK_EQUAL(broker_user("alice"), "user:alice");
}

CAF_TEST(a user account reaches its own queues and routing keys only) {
  auto p = permissions_for_user("alice");
  CAF_CHECK(allows(p.configure, "alice:room"));
  CAF_CHECK(allows(p.configure, "alice:discovery_responses"));
  CAF_CHECK(!allows(p.configure, "bob:room"));
  CAF_CHECK(!allows(p.configure, "xalice:room"));
  CAF_CHECK(!allows(p.configure, "insults_queue"));
  CAF_CHECK(!allows(p.configure, "chat-actors.groups"));
  CAF_CHECK(!allows(p.read, "bob:room"));
  CAF_CHECK(allows(p.read, "insults_queue"));
  CAF_CHECK(allows(p.write, "chat-actors.groups"));
  CAF_CHECK(!allows(p.write, "group_chat"));
  CAF_CHECK(allows(p.topic_write, "alice.room.msg"));
  CAF_CHECK(!allows(p.topic_write, "bob.room.msg"));
  CAF_CHECK(allows(p.topic_read, "*.room.*"));
  CAF_CHECK(!allows(p.topic_read, "#"));
  auto m = permissions_for_member();
  CAF_CHECK(allows(m.configure, "who0a1b2c:discovery_responses"));
  CAF_CHECK(!allows(m.configure, "alice:room"));
  CAF_CHECK(!allows(m.read, "alice:room"));
  CAF_CHECK(!allows(m.read, "insults_queue"));
  CAF_CHECK(!allows(m.topic_write, "who0a1b2c.room.msg"));
}

CAF_TEST(anyone writes to an inbox and only its owner binds it) {
  auto p = permissions_for_user("alice");
  CAF_CHECK(allows(p.configure, "alice:inbox"));
  CAF_CHECK(!allows(p.configure, "bob:inbox"));
  CAF_CHECK(!allows(p.read, "bob:inbox"));
  CAF_CHECK(allows(p.write, "chat-actors.inbox"));
  CAF_CHECK(allows(p.read, "chat-actors.inbox"));
  CAF_CHECK(!allows(p.configure, "chat-actors.inbox"));
  // Routing key = the recipient: any name, nothing else.
  CAF_CHECK(allows(p.inbox_topic_write, "bob"));
  CAF_CHECK(allows(p.inbox_topic_write, "alice"));
  CAF_CHECK(!allows(p.inbox_topic_write, "bob.alice"));
  CAF_CHECK(!allows(p.inbox_topic_write, "#"));
  CAF_CHECK(!allows(p.inbox_topic_write, ""));
  // Binding: our own name only, never a wildcard or another's.
  CAF_CHECK(allows(p.inbox_topic_read, "alice"));
  CAF_CHECK(!allows(p.inbox_topic_read, "bob"));
  CAF_CHECK(!allows(p.inbox_topic_read, "alicex"));
  CAF_CHECK(!allows(p.inbox_topic_read, "#"));
  CAF_CHECK(!allows(p.inbox_topic_read, "*"));
  auto m = permissions_for_member();
  CAF_CHECK(!allows(m.write, "chat-actors.inbox"));
  CAF_CHECK(!allows(m.inbox_topic_write, "alice"));
  CAF_CHECK(!allows(m.inbox_topic_read, "alice"));
}

CAF_TEST(the definitions carry topic permissions on the inbox exchange) {
  auto doc = nlohmann::json::parse(definitions_json(
      {{"user:alice", "pw", "", permissions_for_user("alice"), {}}}, "/", false));
  bool found = false;
  for (auto& t : doc["topic_permissions"])
    if (t["exchange"] == "chat-actors.inbox") {
      found = true;
      CAF_CHECK_EQUAL(t["read"].get<std::string>(), "^alice$");
    }
  CAF_CHECK(found);
}

CAF_TEST_FIXTURE_SCOPE_END()
