#define CAF_SUITE private_chat_peer
#include "tests/dsl.hpp"

#include "actors/client/private_chat_peer_actor.hpp"
#include "actors/client/private_chat_rules.hpp"
#include "config/errors.hpp"

#include <algorithm>
#include <optional>

using namespace chat;

namespace {

/// Records calls; the test answers them through `done`.
struct fake_stub : peer_stub {
  struct call {
    wire_message msg;
    std::function<void(delivery_status)> done;
  };
  std::shared_ptr<std::vector<call>> calls;
  bool keeps_order = false;
  void send(wire_message msg, std::chrono::milliseconds,
            std::function<void(delivery_status)> done) override {
    calls->push_back({std::move(msg), std::move(done)});
  }
  bool ordered() const override { return keeps_order; }
};

struct fake_transport : peer_transport {
  struct target {
    std::string host;
    uint16_t port;
    std::string cert;
    friend bool operator==(const target&, const target&) = default;
  };
  std::shared_ptr<std::vector<fake_stub::call>> calls =
      std::make_shared<std::vector<fake_stub::call>>();
  std::vector<target> connects;
  /// Stubs keep sends in order (a stream to a chat-actors peer).
  bool ordered = false;
  /// Whether each connect asked for ordered sends.
  std::vector<bool> asked_order;
  std::shared_ptr<peer_stub> connect(const std::string& host, uint16_t port,
                                     const std::string& cert, bool order) override {
    connects.push_back({host, port, cert});
    asked_order.push_back(order);
    auto stub = std::make_shared<fake_stub>();
    stub->calls = calls;
    stub->keeps_order = ordered && order;
    return stub;
  }
};

/// The registry holds `*entry` for every name, or nobody when empty.
registry_actor::behavior_type
fake_registry(registry_actor::pointer, std::shared_ptr<std::optional<endpoint>> entry) {
  return {
      [](register_atom, const std::string&, endpoint ep) -> caf::result<endpoint> {
        return ep;
      },
      [=](lookup_atom, const std::string& name) -> caf::result<endpoint> {
        if (!*entry)
          return make_error(errc::unknown_user, name + " is not online");
        return **entry;
      },
      [](unregister_atom) { return ok_atom::value; },
      [](refresh_atom) {},
      [](join_atom, const std::string&) {},
      [](leave_atom, const std::string&) {},
      [](groups_atom, const std::vector<std::string>&) {},
      [](online_atom) { return std::vector<peer_info>{}; },
  };
}

using peer_impl = std::remove_pointer_t<private_chat_peer_pointer>;

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<std::optional<endpoint>> entry =
      std::make_shared<std::optional<endpoint>>();
  std::shared_ptr<fake_transport> transport = std::make_shared<fake_transport>();
  session_keys alice = session_keys::ephemeral();
  session_keys bob = session_keys::ephemeral();
  std::shared_ptr<known_peers> pins = std::make_shared<known_peers>("", "alice");
  std::shared_ptr<std::vector<chat_event>> events =
      std::make_shared<std::vector<chat_event>>();
  std::shared_ptr<std::vector<std::string>> drops =
      std::make_shared<std::vector<std::string>>();
  bool require_tls = false;

  ~fixture() {
    // Pending callbacks hold the peer actor; gRPC drops them after a call.
    transport->calls->clear();
  }

  private_chat_peer_actor spawn_peer(size_t history_size) {
    peer_setup setup;
    setup.self_name = "alice";
    setup.peer = "bob";
    setup.history_size = history_size;
    setup.send_timeout = std::chrono::seconds{2};
    setup.session_key = alice.session;
    setup.pins = pins;
    setup.transport = transport;
    setup.require_tls = require_tls;
    setup.registry = sys.spawn(fake_registry, entry);
    setup.listener = sys.spawn([=, this](caf::event_based_actor*) -> caf::behavior {
      return {[=, this](event_atom, const chat_event& ev) { events->push_back(ev); }};
    });
    setup.parent = sys.spawn([=, this](caf::event_based_actor*) -> caf::behavior {
      return {[=, this](drop_atom, const std::string& peer, const std::string&,
                        uint64_t) { drops->push_back(peer); }};
    });
    auto peer = sys.spawn(private_chat_peer_impl, std::move(setup));
    sched.run();
    return peer;
  }

  private_chat_peer_state& state(const private_chat_peer_actor& peer) {
    return deref<peer_impl>(peer).state;
  }

  /// Delivers an incoming call and returns its outcome.
  caf::error incoming(const private_chat_peer_actor& peer, wire_message msg) {
    caf::error result = make_error(errc::none, "no answer");
    sys.spawn([&, peer, msg](caf::event_based_actor* asker) -> caf::behavior {
      asker->request(peer, caf::infinite, incoming_atom::value, msg)
          .then([&](ok_atom) { result = caf::error{}; },
                [&](caf::error& err) { result = err; });
      return {[](int) {}};
    });
    sched.run();
    return result;
  }

  /// Asks the peer to send; the outcome lands in `sent`.
  void send(const private_chat_peer_actor& peer, std::string text) {
    sys.spawn([=, this](caf::event_based_actor* asker) -> caf::behavior {
      asker->request(peer, caf::infinite, send_atom::value, text)
          .then([=, this](ok_atom) { sent.push_back(caf::error{}); },
                [=, this](caf::error& err) { sent.push_back(err); });
      return {[](int) {}};
    });
    sched.run();
  }

  /// Answers the last transport call.
  void answer(delivery_code code, std::string detail = "x") {
    answer(transport->calls->size() - 1, code, detail);
  }

  /// Answers transport call `i`.
  void answer(size_t i, delivery_code code, std::string detail = "x") {
    transport->calls->at(i).done(delivery_status{static_cast<int32_t>(code), detail});
    sched.run();
  }

  /// The texts of the history, oldest first.
  std::vector<std::string> texts(const private_chat_peer_actor& peer) {
    std::vector<std::string> result;
    for (auto& ev : state(peer).history)
      result.push_back(ev.text);
    return result;
  }

  /// Bob's registry entry as `keys` publish it.
  endpoint entry_of(const session_keys& keys) {
    return keys.publish("bob", endpoint{"127.0.0.1", 1});
  }

  /// A call from the session `keys` claiming to be bob, sealed for alice.
  wire_message from_bob(std::string text, uint64_t seq, const session_keys& keys) {
    auto pair =
        pair_key::derive(*keys.session, "bob", "alice", alice.session->public_hex());
    // On a TLS connection with the certificate of that session.
    return wire_message{"bob",
                        "alice",
                        pair->seal("bob", "alice", seq, text),
                        seq,
                        keys.session->public_hex(),
                        alice.session->public_hex(),
                        keys.tls->fingerprint};
  }

  /// What bob reads from a call alice made.
  std::optional<std::string> bob_reads(const wire_message& msg) {
    auto pair =
        pair_key::derive(*bob.session, "bob", "alice", alice.session->public_hex());
    return pair->open(msg.sender, msg.receiver, msg.seq, msg.text);
  }

  std::vector<caf::error> sent;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(private_chat_peer_tests, fixture)

CAF_TEST(history is bounded and unread counts only while closed) {
  auto peer = spawn_peer(3);
  for (int i = 0; i < 5; ++i)
    CAF_CHECK(!incoming(
        peer, wire_message{"bob", "alice", "m" + std::to_string(i), 0, {}, {}, {}}));
  auto& st = state(peer);
  CAF_REQUIRE_EQUAL(st.history.size(), 3u);
  CAF_CHECK_EQUAL(st.history.front().text, "m2");
  CAF_CHECK_EQUAL(st.history.back().text, "m4");
  CAF_CHECK(!st.history.back().verified); // nobody registered: unverified
  CAF_CHECK_EQUAL(st.unread, 5u);
  CAF_CHECK_EQUAL(events->size(), 5u);
  caf::anon_send(peer, open_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(st.unread, 0u);
  CAF_CHECK(!incoming(peer, wire_message{"bob", "alice", "while open", 0, {}, {}, {}}));
  CAF_CHECK_EQUAL(st.unread, 0u);
  caf::anon_send(peer, close_atom::value);
  sched.run();
  CAF_CHECK(drops->empty()); // peer not known to be gone: kept
  CAF_CHECK(!incoming(peer, wire_message{"bob", "alice", "after close", 0, {}, {}, {}}));
  CAF_CHECK_EQUAL(st.unread, 1u);
}

CAF_TEST(control characters are removed before display) {
  auto peer = spawn_peer(10);
  CAF_CHECK(!incoming(
      peer, wire_message{"bob", "alice", "hi\nalice: fake\x1b[2J", 0, {}, {}, {}}));
  CAF_REQUIRE_EQUAL(state(peer).history.size(), 1u);
  CAF_CHECK_EQUAL(state(peer).history.back().text, "hialice: fake[2J");
}

CAF_TEST(a send to a peer that went away fails and close drops the chat) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10);
  send(peer, "hello");
  CAF_REQUIRE_EQUAL(transport->calls->size(), 1u);
  // Sealed for bob: the wire carries no plain text, bob opens it.
  CAF_CHECK_NOT_EQUAL(transport->calls->back().msg.text, "hello");
  CAF_CHECK_EQUAL(bob_reads(transport->calls->back().msg),
                  std::optional<std::string>{"hello"});
  answer(delivery_code::ok);
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  CAF_CHECK(!sent.back());
  CAF_CHECK_EQUAL(state(peer).history.size(), 1u);
  CAF_CHECK(state(peer).history.back().own);
  // Bob leaves: the call fails, a fresh lookup finds nobody.
  entry->reset();
  send(peer, "still there?");
  answer(delivery_code::unavailable);
  CAF_REQUIRE_EQUAL(sent.size(), 2u);
  CAF_CHECK(is(sent.back(), errc::unknown_user));
  CAF_CHECK_EQUAL(describe(sent.back()), "bob is not online");
  CAF_REQUIRE(!events->empty());
  CAF_CHECK_EQUAL(events->back().kind, chat_event::info);
  CAF_CHECK_EQUAL(events->back().text, "bob went offline");
  CAF_CHECK(state(peer).gone);
  caf::anon_send(peer, open_atom::value);
  caf::anon_send(peer, close_atom::value);
  sched.run();
  CAF_REQUIRE_EQUAL(drops->size(), 1u);
  CAF_CHECK_EQUAL(drops->front(), "bob");
}

CAF_TEST(a registered peer that does not answer gives a clear reason) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10);
  send(peer, "hello");
  auto retries = static_cast<size_t>(defaults::private_send_retries);
  for (size_t i = 0; i < retries; ++i) {
    answer(delivery_code::unavailable); // sent again after a fresh lookup
    CAF_REQUIRE_EQUAL(transport->calls->size(), i + 2);
  }
  CAF_CHECK_EQUAL(transport->connects.size(), retries + 1);
  answer(delivery_code::unavailable);
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  CAF_CHECK(is(sent.back(), errc::peer_unreachable));
  CAF_CHECK_EQUAL(describe(sent.back()), "bob does not answer");
  // Nothing got through and the chat is not open: no conversation is left.
  CAF_CHECK_EQUAL(*drops, std::vector<std::string>{"bob"});
}

CAF_TEST(a transport that never answers is ended by the backstop) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10); // send timeout 2 s, then 500 ms of grace
  send(peer, "one");
  send(peer, "two");
  sched.advance_time(std::chrono::seconds{1});
  sched.run();
  answer(delivery_code::ok); // "two" goes out at 1 s: its deadline is 3 s
  CAF_REQUIRE_EQUAL(transport->calls->size(), 2u);
  // The one timer (armed for "one") fires at 2.5 s and waits on for "two".
  sched.advance_time(std::chrono::milliseconds{1500});
  sched.run();
  CAF_CHECK_EQUAL(sent.size(), 1u);
  sched.advance_time(std::chrono::seconds{1});
  sched.run();
  CAF_REQUIRE_EQUAL(sent.size(), 2u);
  CAF_CHECK_EQUAL(describe(sent.back()), "bob does not answer");
}

CAF_TEST(a message to an unknown user leaves no conversation behind) {
  auto peer = spawn_peer(10); // the registry knows nobody
  send(peer, "anyone?");
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  CAF_CHECK_EQUAL(describe(sent.back()), "bob is not online");
  CAF_CHECK(transport->calls->empty());
  CAF_CHECK_EQUAL(*drops, std::vector<std::string>{"bob"});
}

CAF_TEST(sends go out one at a time in order) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10);
  send(peer, "one");
  send(peer, "two");
  send(peer, "three");
  CAF_REQUIRE_EQUAL(transport->calls->size(), 1u); // one in flight
  answer(delivery_code::ok);
  CAF_REQUIRE_EQUAL(transport->calls->size(), 2u);
  CAF_CHECK_EQUAL(bob_reads(transport->calls->back().msg),
                  std::optional<std::string>{"two"});
  answer(delivery_code::ok);
  answer(delivery_code::ok);
  CAF_CHECK_EQUAL(sent.size(), 3u);
  auto& calls = *transport->calls;
  CAF_CHECK_LESS(calls[0].msg.seq, calls[1].msg.seq);
  CAF_CHECK_LESS(calls[1].msg.seq, calls[2].msg.seq);
}

CAF_TEST(an ordered stub carries a window of sends filed in send order) {
  *entry = entry_of(bob);
  transport->ordered = true;
  auto peer = spawn_peer(100);
  auto window = static_cast<size_t>(defaults::private_window);
  for (size_t i = 0; i < window + 3; ++i)
    send(peer, "m" + std::to_string(i));
  CAF_REQUIRE_EQUAL(transport->calls->size(), window);
  // Answers out of order: nothing is filed before the first one's.
  answer(2, delivery_code::ok);
  answer(1, delivery_code::ok);
  CAF_CHECK(sent.empty());
  CAF_CHECK(state(peer).history.empty());
  answer(0, delivery_code::ok);
  CAF_CHECK_EQUAL(sent.size(), 3u);
  CAF_CHECK_EQUAL(texts(peer), (std::vector<std::string>{"m0", "m1", "m2"}));
  CAF_REQUIRE_EQUAL(transport->calls->size(), window + 3); // the window moved
  for (size_t i = 3; i < window + 3; ++i)
    answer(i, delivery_code::ok);
  CAF_CHECK_EQUAL(sent.size(), window + 3);
  CAF_CHECK_EQUAL(state(peer).history.back().text, "m" + std::to_string(window + 2));
  auto& calls = *transport->calls;
  for (size_t i = 1; i < calls.size(); ++i)
    CAF_CHECK_LESS(calls[i - 1].msg.seq, calls[i].msg.seq);
  // A refusal ends only its own message.
  send(peer, "bad");
  send(peer, "good");
  answer(calls.size() - 2, delivery_code::invalid_argument);
  answer(calls.size() - 1, delivery_code::ok);
  CAF_CHECK(is(sent[sent.size() - 2], errc::invalid_message));
  CAF_CHECK(!sent.back());
  CAF_CHECK_EQUAL(state(peer).history.back().text, "good");
}

CAF_TEST(sends still queued are answered when the actor ends) {
  *entry = entry_of(bob);
  transport->ordered = true;
  auto peer = spawn_peer(100);
  auto window = static_cast<size_t>(defaults::private_window);
  for (size_t i = 0; i < window + 2; ++i)
    send(peer, "m" + std::to_string(i));
  answer(0, delivery_code::ok);
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  caf::anon_send_exit(peer, caf::exit_reason::user_shutdown);
  sched.run();
  // The senders ask without a timeout: each gets an answer.
  CAF_REQUIRE_EQUAL(sent.size(), window + 2);
  for (size_t i = 1; i < sent.size(); ++i)
    CAF_CHECK(is(sent[i], errc::peer_unreachable));
}

CAF_TEST(a broken stream sends what was in flight again under the same seq) {
  *entry = entry_of(bob);
  transport->ordered = true;
  auto peer = spawn_peer(100);
  send(peer, "one");
  send(peer, "two");
  send(peer, "three");
  CAF_REQUIRE_EQUAL(transport->calls->size(), 3u);
  answer(0, delivery_code::ok);
  // The stream breaks: gRPC fails what it did not answer, in order.
  answer(1, delivery_code::unavailable);
  answer(2, delivery_code::unavailable);             // stale: already sent again
  CAF_REQUIRE_EQUAL(transport->connects.size(), 2u); // a fresh lookup
  auto& calls = *transport->calls;
  CAF_REQUIRE_EQUAL(calls.size(), 5u);
  CAF_CHECK_EQUAL(calls[3].msg.seq, calls[1].msg.seq);
  CAF_CHECK_EQUAL(calls[3].msg.text, calls[1].msg.text);
  CAF_CHECK_EQUAL(calls[4].msg.seq, calls[2].msg.seq);
  // Bob had filed "two" before the break; "three" is new to him.
  answer(3, delivery_code::already_exists);
  answer(4, delivery_code::ok);
  CAF_REQUIRE_EQUAL(sent.size(), 3u);
  CAF_CHECK(std::none_of(sent.begin(), sent.end(), [](auto& e) { return bool{e}; }));
  CAF_CHECK_EQUAL(texts(peer), (std::vector<std::string>{"one", "two", "three"}));
}

CAF_TEST(a peer without the stream gets unary calls one at a time) {
  *entry = entry_of(bob);
  transport->ordered = true;
  auto peer = spawn_peer(100);
  send(peer, "one");
  send(peer, "two");
  CAF_REQUIRE_EQUAL(transport->calls->size(), 2u);
  // A peer that serves no stream.
  answer(0, delivery_code::unimplemented);
  answer(1, delivery_code::unimplemented); // stale: already recalled
  CAF_CHECK_EQUAL(transport->asked_order, (std::vector<bool>{true, false}));
  CAF_REQUIRE_EQUAL(transport->calls->size(), 3u); // one in flight again
  CAF_CHECK_EQUAL(transport->calls->back().msg.seq, transport->calls->at(0).msg.seq);
  answer(delivery_code::ok);
  CAF_REQUIRE_EQUAL(transport->calls->size(), 4u);
  answer(delivery_code::ok);
  CAF_CHECK_EQUAL(sent.size(), 2u);
  CAF_CHECK(std::none_of(sent.begin(), sent.end(), [](auto& e) { return bool{e}; }));
  CAF_CHECK_EQUAL(texts(peer), (std::vector<std::string>{"one", "two"}));
}

CAF_TEST(an idle stream is closed and the next send opens another) {
  *entry = entry_of(bob);
  transport->ordered = true;
  auto peer = spawn_peer(100);
  send(peer, "one");
  answer(delivery_code::ok);
  sched.advance_time(std::chrono::seconds{30});
  sched.run();
  send(peer, "two"); // within the idle time: same stub
  answer(delivery_code::ok);
  CAF_CHECK_EQUAL(transport->connects.size(), 1u);
  CAF_CHECK(state(peer).stub != nullptr);
  sched.advance_time(defaults::private_stream_idle);
  sched.run();
  CAF_CHECK(state(peer).stub == nullptr);
  send(peer, "three");
  answer(delivery_code::ok);
  CAF_CHECK_EQUAL(transport->connects.size(), 2u);
  CAF_CHECK_EQUAL(sent.size(), 3u);
}

CAF_TEST(sealed messages are verified and replays refused) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10);
  CAF_CHECK(!incoming(peer, from_bob("sealed", 10, bob)));
  CAF_REQUIRE_EQUAL(state(peer).history.size(), 1u);
  CAF_CHECK_EQUAL(state(peer).history.back().text, "sealed");
  CAF_CHECK(state(peer).history.back().verified);
  // Sent again (its answer was lost): answered as had, not filed twice.
  CAF_CHECK(is(incoming(peer, from_bob("sealed", 10, bob)), errc::already_filed));
  CAF_CHECK_EQUAL(refusal(make_error(errc::already_filed, "x")).code,
                  static_cast<int32_t>(delivery_code::already_exists));
  // Below the floor and never filed: a replay.
  CAF_CHECK(is(incoming(peer, from_bob("older", 9, bob)), errc::not_authentic));
  // Eve seals with her own session key, or claims bob's key with hers.
  auto eve = session_keys::ephemeral();
  CAF_CHECK(is(incoming(peer, from_bob("forged", 11, eve)), errc::not_authentic));
  auto claimed = from_bob("forged", 11, eve);
  claimed.session_key = bob.session->public_hex();
  CAF_CHECK(is(incoming(peer, claimed), errc::not_authentic));
  // A bit flipped on the way.
  auto flipped = from_bob("altered", 11, bob);
  flipped.text[2] = flipped.text[2] == 'A' ? 'B' : 'A';
  CAF_CHECK(is(incoming(peer, flipped), errc::not_authentic));
  CAF_CHECK(is(incoming(peer, wire_message{"bob", "alice", "no proof", 0, {}, {}, {}}),
               errc::not_authentic));
  CAF_CHECK_EQUAL(state(peer).history.size(), 1u);
  CAF_CHECK(!incoming(peer, from_bob("next", 11, bob)));
  CAF_CHECK_EQUAL(state(peer).history.size(), 2u);
}

CAF_TEST(sends go over TLS to exactly the certificate the entry publishes) {
  auto ep = entry_of(bob);
  ep.tls_port = 2; // not signed: a wrong one only fails the handshake
  *entry = ep;
  auto peer = spawn_peer(10);
  send(peer, "hello");
  using target = fake_transport::target;
  CAF_REQUIRE_EQUAL(transport->connects.size(), 1u);
  CAF_CHECK(transport->connects[0] == (target{"127.0.0.1", 2, bob.tls->fingerprint}));
  answer(delivery_code::ok);
  CAF_CHECK(!sent.back());
  // A certificate the identity did not sign: nothing is sent.
  auto swapped = entry_of(bob);
  swapped.tls_cert = session_keys::ephemeral().tls->fingerprint;
  *entry = swapped;
  send(peer, "again");
  answer(delivery_code::unavailable); // the cached stub; then looked up again
  CAF_REQUIRE_EQUAL(sent.size(), 2u);
  CAF_CHECK(is(sent.back(), errc::not_authentic));
  CAF_CHECK_EQUAL(describe(sent.back()),
                  "bob's certificate is not signed by its identity key");
  CAF_CHECK_EQUAL(transport->connects.size(), 1u);
  // The handshake fails on our verifier (twice: after a fresh lookup too).
  *entry = ep;
  send(peer, "third");
  auto failed = std::string{"failed to connect; last error: "} + certificate_mismatch;
  answer(delivery_code::unavailable, failed);
  answer(delivery_code::unavailable, failed);
  CAF_REQUIRE_EQUAL(sent.size(), 3u);
  CAF_CHECK(is(sent.back(), errc::not_authentic));
  CAF_CHECK_EQUAL(describe(sent.back()),
                  "the service at bob's address shows another "
                  "certificate than bob's registry entry: not sent");
}

CAF_TEST(an entry without TLS gets plaintext in open mode only) {
  *entry = endpoint{"127.0.0.1", 7}; // an original client
  auto peer = spawn_peer(10);
  send(peer, "hi");
  using target = fake_transport::target;
  CAF_REQUIRE_EQUAL(transport->connects.size(), 1u);
  CAF_CHECK(transport->connects[0] == (target{"127.0.0.1", 7, ""}));
  answer(delivery_code::ok);
  require_tls = true;
  auto secure = spawn_peer(10);
  send(secure, "hi");
  CAF_REQUIRE_EQUAL(sent.size(), 2u);
  CAF_CHECK_EQUAL(describe(sent.back()), "bob's registry entry offers no TLS: not sent");
  CAF_CHECK_EQUAL(transport->connects.size(), 1u);
}

CAF_TEST(a call must come with the certificate the sender publishes) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10);
  auto eve = session_keys::ephemeral();
  // First call (looked up) on eve's connection, then without TLS.
  auto msg = from_bob("via eve", 10, bob);
  msg.peer_cert = eve.tls->fingerprint;
  auto err = incoming(peer, msg);
  CAF_CHECK(is(err, errc::not_authentic));
  CAF_CHECK_EQUAL(describe(err), "the connection's certificate is not bob's");
  msg.peer_cert.clear();
  err = incoming(peer, msg);
  CAF_CHECK_EQUAL(describe(err),
                  "bob publishes a certificate; the call came without TLS");
  CAF_CHECK(state(peer).history.empty());
  // Bob's own connection; then the known session (no lookup) on eve's.
  CAF_CHECK(!incoming(peer, from_bob("direct", 11, bob)));
  msg = from_bob("via eve again", 12, bob);
  msg.peer_cert = eve.tls->fingerprint;
  CAF_CHECK(is(incoming(peer, msg), errc::not_authentic));
  CAF_CHECK(!incoming(peer, from_bob("direct again", 13, bob)));
  CAF_CHECK_EQUAL(state(peer).history.size(), 2u);
}

CAF_TEST(a session key not signed by the identity is refused) {
  auto forged = entry_of(bob);
  forged.session_key = session_keys::ephemeral().session->public_hex();
  *entry = forged;
  auto peer = spawn_peer(10);
  send(peer, "hello");
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  CAF_CHECK(is(sent.back(), errc::not_authentic));
  CAF_CHECK(transport->calls->empty());
}

CAF_TEST(a changed identity key warns and holds sends until trusted) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10);
  CAF_CHECK(!incoming(peer, from_bob("hi", 10, bob))); // bob's key pinned
  // Someone rewrites bob's registry entry with a key of their own.
  auto eve = session_keys::ephemeral();
  *entry = entry_of(eve);
  CAF_CHECK(!incoming(peer, from_bob("it is me", 11, eve)));
  CAF_REQUIRE_EQUAL(state(peer).history.size(), 2u);
  CAF_CHECK(!state(peer).history.back().verified);
  auto warnings = std::count_if(events->begin(), events->end(), [](auto& ev) {
    return ev.kind == chat_event::error && ev.text.find("bob's key changed") == 0;
  });
  CAF_CHECK_EQUAL(warnings, 1);
  send(peer, "secret");
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  CAF_CHECK(is(sent.back(), errc::key_changed)); // the CLI keeps it for /trust
  CAF_CHECK(transport->calls->empty());
  // The user checked and trusts the new key.
  pins->trust("bob", eve.identity->public_hex());
  caf::anon_send(peer, trust_atom::value);
  sched.run();
  send(peer, "secret");
  CAF_REQUIRE_EQUAL(transport->calls->size(), 1u);
  answer(delivery_code::ok);
  CAF_CHECK(!sent.back());
  CAF_CHECK(!incoming(peer, from_bob("verified again", 12, eve)));
  CAF_CHECK(state(peer).history.back().verified);
}

CAF_TEST(a keyless session under a pinned name is not trusted) {
  *entry = entry_of(bob);
  auto peer = spawn_peer(10);
  CAF_CHECK(!incoming(peer, from_bob("hi", 10, bob)));
  *entry = endpoint{"127.0.0.1", 2}; // an original client took the name
  CAF_CHECK(!incoming(peer, wire_message{"bob", "alice", "plain", 0, {}, {}, {}}));
  CAF_CHECK(!state(peer).history.back().verified);
  send(peer, "to whom?");
  CAF_CHECK(is(sent.back(), errc::key_changed));
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(fingerprints short and whole) {
  std::string key = "1040";
  for (int i = 1; i < 16; ++i)
    key += "abcd";
  CAF_CHECK_EQUAL(key_fingerprint(key), "1040 abcd abcd abcd …");
  auto whole = full_key_fingerprint(key);
  CAF_CHECK_EQUAL(whole.size(), 64u + 15u);
  CAF_CHECK(whole.starts_with("1040 abcd"));
  CAF_CHECK(!whole.ends_with("…"));
  CAF_CHECK_EQUAL(full_key_fingerprint(""), "(none: an original client)");
}
