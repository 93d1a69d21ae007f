#define CAF_SUITE inbox_actor
#include "tests/dsl.hpp"

#include "actors/client/inbox_actor.hpp"
#include "adapters/client/sealed_box.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/errors.hpp"
#include "tests/actors/client/fake_amqp_channel.hpp"

using namespace chat;

namespace {

/// A registry whose identity records are `keys` (name → hex).
registry_actor::behavior_type
fake_registry(registry_actor::pointer,
              std::shared_ptr<std::map<std::string, std::string>> keys) {
  return {
      [](register_atom, const std::string&, endpoint ep) -> caf::result<endpoint> {
        return ep;
      },
      [](lookup_atom, const std::string& name) -> caf::result<endpoint> {
        return make_error(errc::unknown_user, name + " is not online");
      },
      [](unregister_atom) { return ok_atom::value; },
      [](refresh_atom) {},
      [](join_atom, const std::string&) {},
      [](leave_atom, const std::string&) {},
      [](groups_atom, const std::vector<std::string>&) {},
      [](online_atom) { return std::vector<peer_info>{}; },
      [=](identity_atom, const std::string& name) -> caf::result<std::string> {
        auto i = keys->find(name);
        if (i == keys->end())
          return make_error(errc::unknown_user, name + " has never signed in here");
        return i->second;
      },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<test::channel_log> log = std::make_shared<test::channel_log>();
  std::shared_ptr<std::vector<chat_event>> events =
      std::make_shared<std::vector<chat_event>>();
  std::shared_ptr<std::map<std::string, std::string>> records =
      std::make_shared<std::map<std::string, std::string>>();
  std::shared_ptr<const ed25519_key> alice = ed25519_key::generate();
  std::shared_ptr<const ed25519_key> bob = ed25519_key::generate();
  std::shared_ptr<known_peers> pins = std::make_shared<known_peers>("", "alice");
  /// Outcomes of sends, in the order they were answered.
  std::vector<caf::error> sent;
  inbox_actor inbox;

  fixture() {
    auto registry = sys.spawn(fake_registry, records);
    inbox_config cfg;
    cfg.user = "alice";
    cfg.broker = test::record_into(log);
    cfg.keep = std::chrono::hours{1};
    cfg.max_messages = 5;
    cfg.proof = sender_proof{alice, pins, registry};
    inbox = sys.spawn(inbox_impl, std::move(cfg), test::spawn_event_sink(sys, events));
    sched.run();
    log->cbs.status(true, "connected");
    log->run_barriers();
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(inbox, caf::exit_reason::user_shutdown);
    sched.run();
    log->cbs = {};
  }

  void send(std::string to, std::string text) {
    test::ask(sys, inbox,
              std::make_tuple([this](ok_atom) { sent.push_back(caf::error{}); },
                              [this](caf::error& err) { sent.push_back(err); }),
              send_atom::value, std::move(to), std::move(text));
    sched.run();
  }

  void confirm(uint64_t id, caf::error err = {}) {
    log->cbs.confirmed(id, std::move(err));
    sched.run();
  }

  /// A letter `from` → alice, signed by `signer` over `to`'s scope.
  amqp_delivery letter_for_alice(uint64_t tag, const std::string& id,
                                 const std::string& text,
                                 inbox_letter::kind_t kind = inbox_letter::message,
                                 std::string signed_to = "alice") {
    inbox_letter l;
    l.kind = kind;
    l.from = "bob";
    l.to = signed_to;
    l.id = id;
    l.sent_ms = 1'700'000'000'000;
    l.text = text;
    l.sign(sender_proof{bob, nullptr, {}});
    l.to = "alice";
    amqp_delivery d;
    d.tag = tag;
    d.routing_key = "alice";
    d.body = *seal_to(alice->public_hex(), l.encode());
    return d;
  }

  void deliver(amqp_delivery d) {
    log->cbs.delivery(std::move(d));
    sched.run();
  }

  /// What bob reads in letter `i` of those we published.
  inbox_letter opened_by_bob(size_t i) {
    auto plain = open_sealed(*bob, log->published.at(i).second.body);
    CAF_REQUIRE(plain);
    auto l = inbox_letter::decode(*plain);
    CAF_REQUIRE(l);
    return *l;
  }

  bool told(const std::string& part) const {
    for (auto& ev : *events)
      if (ev.text.find(part) != std::string::npos)
        return true;
    return false;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(inbox_actor_tests, fixture)

CAF_TEST(the inbox is a bounded lasting queue bound to our name only) {
  CAF_REQUIRE_EQUAL(log->queues.size(), 1u);
  auto& q = log->queues[0];
  CAF_CHECK_EQUAL(q.name, "alice:inbox");
  CAF_CHECK(q.durable);
  CAF_CHECK_EQUAL(q.expires_ms, 3'600'000);
  CAF_CHECK_EQUAL(q.message_ttl_ms, 3'600'000);
  CAF_CHECK_EQUAL(q.max_length, 5);
  CAF_CHECK_EQUAL(q.overflow, "reject-publish");
  CAF_REQUIRE_EQUAL(log->bindings.size(), 1u);
  CAF_CHECK(log->bindings[0] == std::make_tuple(std::string{"alice:inbox"},
                                                std::string{"chat-actors.inbox"},
                                                std::string{"alice"}));
  CAF_REQUIRE_EQUAL(log->consumers.size(), 1u);
  CAF_CHECK(!std::get<2>(log->consumers[0])); // acked after filing
}

CAF_TEST(a letter is sealed to the recipient and names only them in clear) {
  (*records)["bob"] = bob->public_hex();
  send("bob", "meet at noon");
  CAF_REQUIRE_EQUAL(log->published.size(), 1u);
  auto& msg = log->published[0].second;
  CAF_CHECK_EQUAL(msg.exchange, "chat-actors.inbox");
  CAF_CHECK_EQUAL(msg.routing_key, "bob");
  CAF_CHECK(msg.persistent);
  CAF_CHECK(msg.mandatory);
  CAF_CHECK(msg.headers.empty());
  CAF_CHECK(msg.body.find("alice") == std::string::npos);
  CAF_CHECK(msg.body.find("noon") == std::string::npos);
  CAF_CHECK(msg.message_id.find("alice") == std::string::npos);
  auto l = opened_by_bob(0);
  CAF_CHECK_EQUAL(l.from, "alice");
  CAF_CHECK_EQUAL(l.to, "bob");
  CAF_CHECK_EQUAL(l.text, "meet at noon");
  auto claim = l.claim();
  CAF_CHECK_EQUAL(claim.chat, "inbox:bob");
  CAF_CHECK(sender_proof::valid(alice->public_hex(), claim.fields(), claim.signature));
  // First contact: the name server's record is pinned.
  CAF_CHECK_EQUAL(pins->pinned("bob"), bob->public_hex());
  CAF_CHECK(sent.empty()); // not before the broker has it
  confirm(log->published[0].first);
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  CAF_CHECK(!sent[0]);
  CAF_CHECK(told("queued: bob is away (delivered when bob is back)"));
}

CAF_TEST(the pinned key wins over the name server record) {
  auto other = ed25519_key::generate();
  pins->trust("bob", bob->public_hex());
  (*records)["bob"] = other->public_hex();
  send("bob", "hi");
  CAF_REQUIRE_EQUAL(log->published.size(), 1u);
  CAF_CHECK_EQUAL(opened_by_bob(0).text, "hi");
}

CAF_TEST(a full inbox refuses and the text is kept in the error) {
  (*records)["bob"] = bob->public_hex();
  send("bob", "number six");
  confirm(log->published[0].first,
          make_error(errc::broker_error, "the broker refused a message"));
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  auto what = describe(sent[0]);
  CAF_CHECK(what.find("bob's inbox is full") != std::string::npos);
  CAF_CHECK(what.find("number six") != std::string::npos);
  CAF_CHECK(!told("queued"));
}

CAF_TEST(no key at all : never signed in here) {
  send("carol", "hello?");
  CAF_CHECK(log->published.empty());
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  auto what = describe(sent[0]);
  CAF_CHECK(what.find("carol has never signed in here") != std::string::npos);
  CAF_CHECK(what.find("hello?") != std::string::npos);
}

CAF_TEST(letters are filed as backlog in order then acked and receipted) {
  pins->trust("bob", bob->public_hex());
  log->declared.at("alice:inbox")(2);
  sched.run();
  deliver(letter_for_alice(1, "id1", "first"));
  deliver(letter_for_alice(2, "id2", "second"));
  std::vector<chat_event> msgs;
  for (auto& ev : *events)
    if (ev.kind == chat_event::message)
      msgs.push_back(ev);
  CAF_REQUIRE_EQUAL(msgs.size(), 2u);
  CAF_CHECK_EQUAL(msgs[0].text, "first");
  CAF_CHECK_EQUAL(msgs[1].text, "second");
  CAF_CHECK_EQUAL(msgs[0].chat, "private:bob");
  CAF_CHECK_EQUAL(msgs[0].from, "bob");
  CAF_CHECK(msgs[0].backlog);
  CAF_CHECK(msgs[0].verified);
  CAF_CHECK_EQUAL(msgs[0].ts_ms, 1'700'000'000'000);
  CAF_CHECK_EQUAL(log->acked.size(), 2u);
  // One receipt each, sealed to bob.
  CAF_REQUIRE_EQUAL(log->published.size(), 2u);
  CAF_CHECK_EQUAL(log->published[0].second.routing_key, "bob");
  auto r = opened_by_bob(0);
  CAF_CHECK_EQUAL(r.kind, inbox_letter::receipt);
  CAF_CHECK_EQUAL(r.id, "id1");
  CAF_CHECK_EQUAL(r.text, "first");
  auto claim = r.claim();
  CAF_CHECK_EQUAL(claim.chat, "inbox-receipt:bob");
  CAF_CHECK(sender_proof::valid(alice->public_hex(), claim.fields(), claim.signature));
}

CAF_TEST(a redelivered letter is acked and not shown twice) {
  pins->trust("bob", bob->public_hex());
  auto d = letter_for_alice(1, "id1", "once");
  deliver(d);
  d.tag = 7;
  d.redelivered = true;
  deliver(d);
  size_t shown = 0;
  for (auto& ev : *events)
    shown += ev.kind == chat_event::message ? 1 : 0;
  CAF_CHECK_EQUAL(shown, 1u);
  CAF_CHECK_EQUAL(log->acked.size(), 2u);
  CAF_CHECK_EQUAL(log->published.size(), 1u); // one receipt
}

CAF_TEST(a letter signed for another recipient is shown unverified and not receipted) {
  pins->trust("bob", bob->public_hex());
  deliver(letter_for_alice(1, "id1", "for carol", inbox_letter::message, "carol"));
  CAF_REQUIRE(!events->empty());
  CAF_CHECK_EQUAL(events->back().text, "for carol");
  CAF_CHECK(!events->back().verified);
  CAF_CHECK(log->published.empty());
  CAF_CHECK_EQUAL(log->acked.size(), 1u);
}

CAF_TEST(a box not sealed to us is dropped with a line and acked) {
  auto d = letter_for_alice(1, "id1", "x");
  d.body = *seal_to(bob->public_hex(), "{}");
  deliver(d);
  CAF_CHECK(told("dropped a private message"));
  CAF_CHECK_EQUAL(log->acked.size(), 1u);
}

CAF_TEST(a receipt tells the sender delivered) {
  pins->trust("bob", bob->public_hex());
  deliver(letter_for_alice(1, "id1", "meet at noon", inbox_letter::receipt));
  CAF_REQUIRE(!events->empty());
  CAF_CHECK_EQUAL(events->back().chat, "private:bob");
  CAF_CHECK_EQUAL(events->back().text, "delivered: meet at noon");
  CAF_CHECK(log->published.empty()); // no receipt for a receipt
}

CAF_TEST(a letter under one scope is not valid under another) {
  inbox_letter l;
  l.from = "bob";
  l.to = "alice";
  l.id = "x";
  l.text = "hi";
  l.sign(sender_proof{bob, nullptr, {}});
  auto as_receipt = l;
  as_receipt.kind = inbox_letter::receipt;
  auto c = as_receipt.claim();
  CAF_CHECK(!sender_proof::valid(bob->public_hex(), c.fields(), c.signature));
  auto to_carol = l;
  to_carol.to = "carol";
  c = to_carol.claim();
  CAF_CHECK(!sender_proof::valid(bob->public_hex(), c.fields(), c.signature));
  c = l.claim();
  CAF_CHECK(sender_proof::valid(bob->public_hex(), c.fields(), c.signature));
  CAF_CHECK(!inbox_letter::decode("{}"));
  CAF_CHECK(!inbox_letter::decode("not json"));
  auto decoded = inbox_letter::decode(l.encode());
  CAF_REQUIRE(decoded);
  CAF_CHECK_EQUAL(decoded->text, "hi");
}

CAF_TEST_FIXTURE_SCOPE_END()
