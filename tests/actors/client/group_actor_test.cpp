#define CAF_SUITE group_actor
#include "tests/dsl.hpp"

#include "actors/client/group_actor.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/errors.hpp"
#include "tests/actors/client/fake_amqp_channel.hpp"

using namespace chat;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<test::channel_log> log = std::make_shared<test::channel_log>();
  std::shared_ptr<std::vector<chat_event>> events =
      std::make_shared<std::vector<chat_event>>();
  /// Outcomes of posts, in the order they were answered.
  std::vector<caf::error> posted;

  std::vector<group_actor> spawned;

  ~fixture() {
    // Answers what still waits; the callbacks hold the actor.
    for (auto& g : spawned)
      caf::anon_send_exit(g, caf::exit_reason::user_shutdown);
    sched.run();
    log->cbs = {};
    log->barriers.clear();
  }

  group_actor spawn_group(group_config cfg = {}) {
    cfg.user = "alice";
    cfg.group = "room";
    cfg.queue_expiry = std::chrono::seconds{60};
    cfg.broker = test::record_into(log);
    auto parent = test::spawn_event_sink(sys, events);
    auto g = sys.spawn(group_impl, std::move(cfg), parent);
    sched.run();
    spawned.push_back(g);
    return g;
  }

  /// The broker confirms our channel's topology.
  void subscribed() {
    log->cbs.status(true, "connected");
    log->run_barriers();
    sched.run();
  }

  void post(const group_actor& g, std::string text) {
    test::ask(sys, g,
              std::make_tuple([this](ok_atom) { posted.push_back(caf::error{}); },
                              [this](caf::error& err) { posted.push_back(err); }),
              post_atom::value, std::move(text));
    sched.run();
  }

  void confirm(uint64_t id, caf::error err = {}) {
    log->cbs.confirmed(id, std::move(err));
    sched.run();
  }

  void deliver(amqp_delivery d) {
    log->cbs.delivery(std::move(d));
    sched.run();
  }

  std::vector<chat_event> history(const group_actor& g) {
    auto result = std::make_shared<std::vector<chat_event>>();
    test::ask(sys, g,
              std::make_tuple([result](std::vector<chat_event>& xs) { *result = xs; }),
              history_atom::value);
    sched.run();
    return *result;
  }

  bool told(uint8_t kind, const std::string& part) const {
    for (auto& ev : *events)
      if (ev.kind == kind && ev.text.find(part) != std::string::npos)
        return true;
    return false;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(group_actor_tests, fixture)

CAF_TEST(the subscription queue is durable and bound to the durable twin) {
  spawn_group();
  CAF_REQUIRE_EQUAL(log->queues.size(), 1u);
  CAF_CHECK_EQUAL(log->queues[0].name, "alice:room");
  CAF_CHECK(log->queues[0].durable);
  CAF_CHECK_EQUAL(log->queues[0].expires_ms, 60000);
  CAF_REQUIRE_EQUAL(log->bindings.size(), 1u);
  CAF_CHECK_EQUAL(std::get<1>(log->bindings[0]), "chat-actors.groups");
  CAF_CHECK_EQUAL(std::get<2>(log->bindings[0]), "*.room.*");
  CAF_REQUIRE_EQUAL(log->consumers.size(), 1u);
  CAF_CHECK_EQUAL(std::get<2>(log->consumers[0]), false); // manual acks
  // Bounded: what others send or what waited never floods the receiver.
  CAF_CHECK_EQUAL(std::get<1>(log->consumers[0]), defaults::group_prefetch);
  CAF_CHECK(log->opts.confirms);
}

CAF_TEST(ready answers only once the broker has the subscription) {
  auto g = spawn_group();
  bool ready = false;
  test::ask(sys, g, std::make_tuple([&](ok_atom) { ready = true; }), ready_atom::value);
  sched.run();
  CAF_CHECK(!ready);
  subscribed();
  CAF_CHECK(ready);
}

CAF_TEST(a post is answered once the broker confirms it) {
  auto g = spawn_group();
  subscribed();
  post(g, "hi");
  CAF_REQUIRE_EQUAL(log->published.size(), 1u);
  auto& [id, msg] = log->published[0];
  CAF_CHECK_EQUAL(msg.exchange, "chat-actors.groups");
  CAF_CHECK_EQUAL(msg.routing_key, "alice.room.msg");
  CAF_CHECK_EQUAL(msg.body, "alice: hi");
  CAF_CHECK(msg.mandatory);
  CAF_CHECK(msg.persistent);
  CAF_CHECK_EQUAL(msg.headers.at("x-chat-sender"), "alice");
  CAF_CHECK(posted.empty());
  confirm(id);
  CAF_REQUIRE_EQUAL(posted.size(), 1u);
  CAF_CHECK(!posted[0]);
}

CAF_TEST(a message nobody can receive is an error the sender sees) {
  auto g = spawn_group();
  subscribed();
  post(g, "anyone?");
  confirm(log->published[0].first,
          make_error(errc::undeliverable, "not delivered: no queue is bound"));
  CAF_REQUIRE_EQUAL(posted.size(), 1u);
  CAF_CHECK(posted[0]);
  CAF_CHECK(told(chat_event::error, "not delivered"));
}

CAF_TEST(a post given up by the broker link is named by its text) {
  auto g = spawn_group();
  subscribed();
  post(g, "first");
  post(g, "second");
  confirm(log->published[0].first);
  confirm(log->published[1].first,
          make_error(errc::broker_error, "not delivered: no broker node took it"));
  CAF_REQUIRE_EQUAL(posted.size(), 2u);
  CAF_CHECK(!posted[0]);
  CAF_CHECK(posted[1]);
  CAF_CHECK(told(chat_event::error, "\"second\": not delivered"));
  CAF_CHECK(!told(chat_event::error, "first"));
}

CAF_TEST(posts during an outage wait and are reported sent) {
  auto g = spawn_group();
  subscribed();
  log->cbs.status(false, "broker gone; reconnecting…");
  sched.run();
  post(g, "one");
  post(g, "two");
  CAF_CHECK(told(chat_event::info, "pending"));
  log->cbs.status(true, "reconnected");
  sched.run();
  confirm(log->published[0].first);
  CAF_CHECK(!told(chat_event::info, "sent: 2"));
  confirm(log->published[1].first);
  CAF_CHECK_EQUAL(posted.size(), 2u);
  CAF_CHECK(told(chat_event::info, "sent: 2 messages that waited for the broker"));
}

CAF_TEST(a full outbox refuses the next post with the reason) {
  group_config cfg;
  cfg.outbox_size = 2;
  auto g = spawn_group(cfg);
  subscribed();
  post(g, "one");
  post(g, "two");
  post(g, "three");
  CAF_REQUIRE_EQUAL(posted.size(), 1u);
  CAF_CHECK(is(posted[0], errc::outbox_full));
  CAF_CHECK_EQUAL(log->published.size(), 2u);
}

CAF_TEST(a delivery is acked once in the history and a redelivery shown once) {
  auto g = spawn_group();
  subscribed();
  deliver(log->delivery(1, "bob-1", "bob: hello", "bob"));
  deliver(log->delivery(2, "bob-1", "bob: hello", "bob"));
  deliver(log->delivery(3, "", "carol: from an original client"));
  CAF_CHECK_EQUAL(log->acked.size(), 3u);
  auto h = history(g);
  CAF_REQUIRE_EQUAL(h.size(), 2u);
  CAF_CHECK_EQUAL(h[0].from, "bob");
  CAF_CHECK_EQUAL(h[0].text, "hello");
  CAF_CHECK_EQUAL(h[1].from, "carol");
  CAF_CHECK_EQUAL(h[1].text, "from an original client");
}

CAF_TEST(a delivery under our own name that we did not post is not ours) {
  auto g = spawn_group();
  subscribed();
  post(g, "mine");
  auto own_id = log->published[0].second.message_id;
  deliver(log->delivery(1, own_id, "alice: mine", "alice")); // the echo
  deliver(log->delivery(2, "mallory-1", "alice: I owe mallory 100", "alice"));
  auto h = history(g);
  CAF_REQUIRE_EQUAL(h.size(), 2u);
  CAF_CHECK(h[0].own);
  CAF_CHECK_EQUAL(h[1].from, "alice");
  CAF_CHECK(!h[1].own);
  CAF_CHECK(!h[1].verified);
}

CAF_TEST(signed deliveries are verified against pinned or first - contact keys) {
  auto bob = ed25519_key::generate();
  auto mallory = ed25519_key::generate();
  auto alice = ed25519_key::generate();
  // The registry holds bob's identity (first contact pins it).
  auto registry =
      sys.spawn([=](registry_actor::pointer) -> registry_actor::behavior_type {
        return {
            [](register_atom, const std::string&, endpoint ep) { return ep; },
            [=](lookup_atom, const std::string& name) -> caf::result<endpoint> {
              if (name != "bob")
                return make_error(errc::unknown_user, name + " is not online");
              return endpoint{"h", 1, bob->public_hex()};
            },
            [](unregister_atom) { return ok_atom::value; },
            [](refresh_atom) {},
            [](join_atom, const std::string&) {},
            [](leave_atom, const std::string&) {},
            [](groups_atom, const std::vector<std::string>&) {},
            [](online_atom) { return std::vector<peer_info>{}; },
            [](identity_atom, const std::string& name) -> caf::result<std::string> {
              return make_error(errc::unknown_user, name + " has never signed in here");
            },
        };
      });
  auto pins = std::make_shared<known_peers>("", "alice");
  group_config cfg;
  cfg.proof = sender_proof{alice, pins, registry};
  auto g = spawn_group(cfg);
  subscribed();
  auto signed_by = [](const std::shared_ptr<const ed25519_key>& key, std::string from,
                      std::string id, std::string text) {
    sender_proof signer{key, nullptr, {}};
    return signer.sign({"group:room", from, id, text});
  };
  auto d = log->delivery(1, "bob-1", "bob: hello", "bob");
  d.headers[signature_header] = signed_by(bob, "bob", "bob-1", "hello");
  deliver(d);
  CAF_CHECK_EQUAL(pins->pinned("bob"), bob->public_hex());
  // Mallory signs as bob with her key, then alters a signed text.
  d = log->delivery(2, "bob-2", "bob: pay mallory", "bob");
  d.headers[signature_header] = signed_by(mallory, "bob", "bob-2", "pay mallory");
  deliver(d);
  d = log->delivery(3, "bob-3", "bob: pay mallory", "bob");
  d.headers[signature_header] = signed_by(bob, "bob", "bob-3", "pay bob");
  deliver(d);
  // Unsigned (an original client), and alice's name without her key.
  deliver(log->delivery(4, "", "carol: hi"));
  d = log->delivery(5, "m-5", "alice: I owe mallory", "alice");
  d.headers[signature_header] = signed_by(mallory, "alice", "m-5", "I owe mallory");
  deliver(d);
  auto h = history(g);
  CAF_REQUIRE_EQUAL(h.size(), 5u);
  CAF_CHECK(h[0].verified);
  for (size_t i = 1; i < h.size(); ++i) {
    CAF_CHECK(!h[i].verified);
    CAF_CHECK(!h[i].own);
  }
  CAF_CHECK_EQUAL(log->acked.size(), 5u);
  // Our own posts carry our signature.
  post(g, "signed by alice");
  auto& sent = log->published.back().second;
  CAF_CHECK(sender_proof::valid(
      alice->public_hex(), {"group:room", "alice", sent.message_id, "signed by alice"},
      sent.headers[signature_header]));
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
}

CAF_TEST(an oversized or malformed delivery is dropped with a notice and acked) {
  group_config cfg;
  cfg.max_message_bytes = 10;
  auto g = spawn_group(cfg);
  subscribed();
  deliver(log->delivery(1, "m-1", "mallory: " + std::string(11, 'x'), "mallory"));
  deliver(log->delivery(2, "m-2", "mallory: \xff\xfe", "mallory"));
  CAF_CHECK_EQUAL(log->acked.size(), 2u);
  CAF_CHECK(history(g).empty());
  CAF_CHECK(told(chat_event::error, "dropped a message from mallory"));
}

CAF_TEST(leaving answers the waiting posts and deletes the queue) {
  auto g = spawn_group();
  subscribed();
  post(g, "unconfirmed");
  test::ask(sys, g, std::make_tuple([](ok_atom) {}), leave_atom::value);
  sched.run();
  CAF_REQUIRE_EQUAL(posted.size(), 1u);
  CAF_CHECK(posted[0]);
  CAF_CHECK(told(chat_event::error, "1 message not sent"));
  CAF_REQUIRE_EQUAL(log->deleted.size(), 1u);
  CAF_CHECK_EQUAL(log->deleted[0], "alice:room");
}

CAF_TEST(joining and leaving announce themselves to the group signed) {
  auto alice = ed25519_key::generate();
  group_config cfg;
  cfg.announce = true;
  cfg.proof = sender_proof{alice, nullptr, {}};
  auto g = spawn_group(cfg);
  CAF_CHECK(log->published.empty()); // not before the subscription is live
  subscribed();
  CAF_REQUIRE_EQUAL(log->published.size(), 1u);
  auto join = log->published[0].second;
  CAF_CHECK_EQUAL(join.routing_key, "alice.room.msg");
  CAF_CHECK_EQUAL(join.body, "alice: joined #room"); // what original clients show
  CAF_CHECK_EQUAL(join.headers.at("x-chat-event"), "join");
  CAF_CHECK_EQUAL(join.headers.at("x-chat-sender"), "alice");
  CAF_CHECK(!join.mandatory); // an empty group is no error
  auto sig = join.headers.at(signature_header);
  CAF_CHECK(sender_proof::valid(
      alice->public_hex(),
      {"event:group:room:join", "alice", join.message_id, "joined #room"}, sig));
  // Not valid as a message: the event cannot be replayed as chat.
  CAF_CHECK(!sender_proof::valid(alice->public_hex(),
                                 {"group:room", "alice", join.message_id, "joined #room"},
                                 sig));
  // Our own echo is not shown.
  auto echo = log->delivery(1, join.message_id, join.body, "alice");
  echo.headers = join.headers;
  deliver(echo);
  CAF_CHECK(history(g).empty());
  test::ask(sys, g, std::make_tuple([](ok_atom) {}), leave_atom::value);
  sched.run();
  CAF_REQUIRE_EQUAL(log->published.size(), 2u);
  CAF_CHECK_EQUAL(log->published[1].second.headers.at("x-chat-event"), "leave");
  CAF_CHECK_EQUAL(log->published[1].second.body, "alice: left #room");
}

CAF_TEST(without announce nothing is published on join) {
  spawn_group();
  subscribed();
  CAF_CHECK(log->published.empty());
}

CAF_TEST(membership events of others are notices checked like messages) {
  auto bob = ed25519_key::generate();
  auto alice = ed25519_key::generate();
  auto pins = std::make_shared<known_peers>("", "alice");
  pins->check("bob", bob->public_hex());
  group_config cfg;
  cfg.proof = sender_proof{alice, pins, {}};
  auto g = spawn_group(cfg);
  subscribed();
  auto event = [&](uint64_t tag, std::string id, std::string kind, std::string body,
                   const std::shared_ptr<const ed25519_key>& key, std::string scope) {
    auto d = log->delivery(tag, id, "bob: " + body, "bob");
    d.headers["x-chat-event"] = kind;
    sender_proof signer{key, nullptr, {}};
    d.headers[signature_header] = signer.sign({scope, "bob", id, body});
    return d;
  };
  deliver(event(1, "bob-1", "join", "joined #room", bob, "event:group:room:join"));
  deliver(event(2, "bob-2", "leave", "left #room", bob, "event:group:room:leave"));
  // A join signed for another group, and a message signature as an event.
  deliver(event(3, "bob-3", "join", "joined #room", bob, "event:group:other:join"));
  deliver(event(4, "bob-4", "leave", "left #room", bob, "group:room"));
  // An event this client does not know: acked, not shown.
  deliver(event(5, "bob-5", "kick", "kicked alice", bob, "event:group:room:kick"));
  // One under our own name (our join from before a restart): not shown.
  auto own = log->delivery(6, "alice-old-1", "alice: joined #room", "alice");
  own.headers["x-chat-event"] = "join";
  deliver(own);
  CAF_CHECK_EQUAL(log->acked.size(), 6u);
  auto h = history(g);
  CAF_REQUIRE_EQUAL(h.size(), 4u);
  CAF_CHECK_EQUAL(h[0].kind, chat_event::joined);
  CAF_CHECK_EQUAL(h[0].chat, "group:room");
  CAF_CHECK_EQUAL(h[0].from, "bob");
  CAF_CHECK_EQUAL(h[0].text, "bob joined #room");
  CAF_CHECK(h[0].verified);
  CAF_CHECK_EQUAL(h[1].kind, chat_event::left);
  CAF_CHECK_EQUAL(h[1].text, "bob left #room");
  CAF_CHECK(h[1].verified);
  CAF_CHECK_EQUAL(h[2].kind, chat_event::joined);
  CAF_CHECK(!h[2].verified);
  CAF_CHECK_EQUAL(h[3].kind, chat_event::left);
  CAF_CHECK(!h[3].verified);
  for (auto& ev : h)
    CAF_CHECK(!ev.own);
}

CAF_TEST(a lasting membership keeps its queue and bounds what waits) {
  group_config cfg;
  cfg.lasting = true;
  cfg.away_max_messages = 500;
  auto g = spawn_group(cfg);
  CAF_REQUIRE_EQUAL(log->queues.size(), 1u);
  CAF_CHECK(!log->fresh[0]); // never deleted to start afresh
  CAF_CHECK_EQUAL(log->queues[0].message_ttl_ms, 60000);
  CAF_CHECK_EQUAL(log->queues[0].max_length, 500);
  caf::anon_send_exit(g, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_CHECK(log->deleted.empty()); // a clean exit is not /leave
}

CAF_TEST(an open - mode membership starts afresh and ends with the session) {
  auto g = spawn_group();
  CAF_REQUIRE_EQUAL(log->fresh.size(), 1u);
  CAF_CHECK(log->fresh[0]);
  caf::anon_send_exit(g, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_REQUIRE_EQUAL(log->deleted.size(), 1u);
}

CAF_TEST(what waited while we were away is announced and marked backlog) {
  group_config cfg;
  cfg.lasting = true;
  spawn_group(cfg);
  subscribed();
  log->declared.at("alice:room")(2);
  sched.run();
  CAF_CHECK(told(chat_event::info, "while you were away: 2 messages"));
  auto d1 = log->delivery(1, "bob-1", "bob: first", "bob");
  d1.timestamp = 1'700'000'000;
  deliver(d1);
  deliver(log->delivery(2, "bob-2", "bob: second", "bob"));
  deliver(log->delivery(3, "bob-3", "bob: live", "bob"));
  // A reconnect's count is not an absence.
  log->declared.at("alice:room")(5);
  sched.run();
  std::vector<chat_event> messages;
  size_t announcements = 0;
  for (auto& ev : *events) {
    if (ev.kind == chat_event::message)
      messages.push_back(ev);
    if (ev.text.find("while you were away") != std::string::npos)
      ++announcements;
  }
  CAF_CHECK_EQUAL(announcements, 1u);
  CAF_REQUIRE_EQUAL(messages.size(), 3u);
  CAF_CHECK(messages[0].backlog);
  CAF_CHECK_EQUAL(messages[0].ts_ms, 1'700'000'000'000);
  CAF_CHECK(messages[1].backlog);
  CAF_CHECK(!messages[2].backlog);
}

CAF_TEST_FIXTURE_SCOPE_END()
