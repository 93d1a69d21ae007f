#define CAF_SUITE broker_account_actor
#include "tests/dsl.hpp"

#include "actors/server/broker_account_actor.hpp"
#include "actors/server/lan_locator_actor.hpp"
#include "config/errors.hpp"

#include <map>
#include <set>

using namespace chat;
using namespace chat::broker_account;

namespace {

const std::string code_password = "member-password";

/// RabbitMQ's accounts as a map (user → password), with call counts.
struct fake_broker {
  std::map<std::string, std::string> accounts;
  /// Calls of `create`, and accounts created.
  int create_calls = 0;
  int created = 0;
  bool down = false;

  account_store store() {
    account_store s;
    s.accepts = [this](const std::string& user, const std::string& password) {
      auto i = accounts.find(user);
      return !down && i != accounts.end() && i->second == password;
    };
    s.users = [this]() -> caf::expected<std::set<std::string>> {
      if (down)
        return make_error(errc::service_failed, "broker down");
      std::set<std::string> users;
      for (auto& [user, password] : accounts)
        users.insert(user);
      return users;
    };
    s.create = [this](const std::vector<new_account>& xs) -> caf::error {
      ++create_calls;
      for (auto& x : xs) {
        ++created;
        accounts[x.user] = x.password;
      }
      return {};
    };
    return s;
  }
};

struct fixture : test_coordinator_fixture<> {
  fake_broker broker;
  broker_account_actor accounts;
  std::shared_ptr<const ed25519_key> alice = ed25519_key::generate();

  fixture() {
    accounts =
        sys.spawn(broker_account_impl,
                  broker_account_keys{code_password, "account-secret"}, broker.store());
    sched.run();
  }

  ~fixture() { caf::anon_send_exit(accounts, caf::exit_reason::user_shutdown); }

  /// What the actor answers `payload`, and how it reads for the requester.
  answer ask(const std::string& name, const ed25519_key& key,
             const std::string& password = code_password,
             std::string nonce = "00112233445566778899aabbccddeeff") {
    auto ephemeral = x25519_key::generate();
    auto payload = make_request(password, name, key, *ephemeral, nonce);
    std::string reply;
    test::ask(sys, accounts, std::make_tuple([&](const std::string& r) { reply = r; }),
              account_atom::value, udp_datagram{payload, "10.0.0.2", 5555, false});
    sched.run();
    return parse_answer(reply, nonce, name, key.public_hex(), *ephemeral);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(broker_account_actor_tests, fixture)

CAF_TEST(the first request for a name creates its account) {
  auto first = ask("alice", *alice);
  CAF_REQUIRE(first.what == answer::granted);
  CAF_CHECK_EQUAL(first.account.user, "user:alice");
  CAF_CHECK_EQUAL(broker.created, 1);
  // The same key later (a new nonce): the same account, nothing created.
  auto again = ask("alice", *alice, code_password, "ffeeddccbbaa99887766554433221100");
  CAF_REQUIRE(again.what == answer::granted);
  CAF_CHECK_EQUAL(again.account.password, first.account.password);
  CAF_CHECK_EQUAL(broker.created, 1);
}

CAF_TEST(a bound name is refused to another key) {
  CAF_REQUIRE(ask("alice", *alice).what == answer::granted);
  auto mallory = ed25519_key::generate();
  auto got = ask("alice", *mallory, code_password, "ffeeddccbbaa99887766554433221100");
  CAF_CHECK(got.what == answer::refused);
  CAF_CHECK(got.why == refusal::name_bound);
  CAF_CHECK_EQUAL(broker.created, 1);
}

CAF_TEST(requests without the join code are refused and create nothing) {
  auto got = ask("alice", *alice, "old-code");
  CAF_CHECK(got.what == answer::refused);
  CAF_CHECK(got.why == refusal::not_member);
  CAF_CHECK_EQUAL(broker.created, 0);
}

CAF_TEST(requests that arrive together are created together) {
  // Three new names in the mailbox at once (one of them twice, with two
  // keys): one create call, and the second key for "carol" is refused.
  auto mallory = ed25519_key::generate();
  std::vector<std::shared_ptr<const x25519_key>> ephemerals;
  std::vector<std::string> replies(4);
  std::vector<std::string> nonces{
      "00000000000000000000000000000001", "00000000000000000000000000000002",
      "00000000000000000000000000000003", "00000000000000000000000000000004"};
  std::vector<std::pair<std::string, const ed25519_key*>> who{{"bob", alice.get()},
                                                              {"carol", alice.get()},
                                                              {"dave", alice.get()},
                                                              {"carol", mallory.get()}};
  for (size_t i = 0; i < who.size(); ++i) {
    ephemerals.push_back(x25519_key::generate());
    auto payload = make_request(code_password, who[i].first, *who[i].second,
                                *ephemerals[i], nonces[i]);
    test::ask(sys, accounts,
              std::make_tuple([&replies, i](const std::string& r) { replies[i] = r; }),
              account_atom::value, udp_datagram{payload, "10.0.0.2", 5555, false});
  }
  sched.run();
  CAF_CHECK_EQUAL(broker.create_calls, 1);
  CAF_CHECK_EQUAL(broker.created, 3);
  for (size_t i = 0; i < 3; ++i)
    CAF_CHECK(parse_answer(replies[i], nonces[i], who[i].first,
                           who[i].second->public_hex(), *ephemerals[i])
                  .what == answer::granted);
  auto last =
      parse_answer(replies[3], nonces[3], "carol", mallory->public_hex(), *ephemerals[3]);
  CAF_CHECK(last.what == answer::refused);
  CAF_CHECK(last.why == refusal::name_bound);
}

CAF_TEST(throwaway names get no account of their own) {
  auto got = ask("who0a1b2c", *alice);
  CAF_CHECK(got.what == answer::refused);
  CAF_CHECK(got.why == refusal::reserved_name);
}

CAF_TEST(a broker that does not answer is reported) {
  broker.down = true;
  auto got = ask("alice", *alice);
  CAF_CHECK(got.what == answer::refused);
  CAF_CHECK(got.why == refusal::unavailable);
}

CAF_TEST(the locator passes account requests on and sends the answer back) {
  struct fake_socket : udp_socket {
    std::shared_ptr<std::vector<std::string>> sent =
        std::make_shared<std::vector<std::string>>();
    void send_to(const std::string&, uint16_t, std::string payload) override {
      sent->push_back(std::move(payload));
    }
    uint16_t local_port() const override { return 4242; }
  };
  std::shared_ptr<std::vector<std::string>> sent;
  auto locator = sys.spawn(
      lan_locator_impl,
      udp_socket_factory{[&](caf::actor, std::string&) -> std::unique_ptr<udp_socket> {
        auto socket = std::make_unique<fake_socket>();
        sent = socket->sent;
        return socket;
      }},
      locator_services{join_handler{}, accounts, ""});
  sched.run();
  auto ephemeral = x25519_key::generate();
  auto nonce = std::string{"00112233445566778899aabbccddeeff"};
  caf::anon_send(
      locator, datagram_atom::value,
      udp_datagram{make_request(code_password, "alice", *alice, *ephemeral, nonce),
                   "10.0.0.2", 5555, false});
  sched.run();
  CAF_REQUIRE_EQUAL(sent->size(), 1u);
  CAF_CHECK(
      parse_answer(sent->front(), nonce, "alice", alice->public_hex(), *ephemeral).what ==
      answer::granted);
  caf::anon_send_exit(locator, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
