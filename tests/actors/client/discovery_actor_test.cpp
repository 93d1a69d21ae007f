#define CAF_SUITE discovery_actor
#include "tests/dsl.hpp"

#include "actors/client/discovery_actor.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "tests/actors/client/fake_amqp_channel.hpp"

using namespace chat;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<test::channel_log> log = std::make_shared<test::channel_log>();
  std::shared_ptr<std::vector<discovery_report>> reports =
      std::make_shared<std::vector<discovery_report>>();
  discovery_actor discovery;

  fixture() {
    auto listener = sys.spawn([r = reports](caf::event_based_actor*) -> caf::behavior {
      return {[r](report_atom, const discovery_report& x) { r->push_back(x); },
              [](event_atom, const chat_event&) {}};
    });
    discovery_config cfg{"alice", "10.0.0.1:4000", test::record_into(log),
                         std::chrono::seconds{3}};
    discovery = sys.spawn(discovery_impl, std::move(cfg), listener);
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(discovery, caf::exit_reason::user_shutdown);
    sched.run();
    log->cbs = {};
  }

  /// A request or an answer as the broker hands it to us.
  void deliver(std::string exchange, std::string name, std::string round = {},
               std::string endpoint = {}) {
    amqp_delivery d;
    d.exchange = std::move(exchange);
    d.body = std::move(name);
    if (!round.empty())
      d.headers[round_header] = std::move(round);
    if (!endpoint.empty())
      d.headers[endpoint_header] = std::move(endpoint);
    log->cbs.delivery(std::move(d));
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(discovery_actor_tests, fixture)

CAF_TEST(requests and answers need no publisher confirms) {
  CAF_CHECK(!log->opts.confirms);
  CAF_REQUIRE_EQUAL(log->queues.size(), 2u);
  CAF_CHECK_EQUAL(log->queues[0].name, "alice:discovery_requests");
  CAF_CHECK_EQUAL(log->queues[1].name, "alice:discovery_responses");
  CAF_CHECK_EQUAL(std::get<2>(log->bindings[1]), "alice"); // direct answers
}

CAF_TEST(discovery queues live and die with the connection on any node) {
  for (auto& q : log->queues) {
    CAF_CHECK(q.exclusive);
    CAF_CHECK(q.auto_delete);
    CAF_CHECK(!q.durable);
    CAF_CHECK(!q.replicated);
  }
}

CAF_TEST(a request is answered with our endpoint and groups and its round) {
  caf::anon_send(discovery, groups_atom::value, std::vector<std::string>{"room", "den"});
  sched.run();
  deliver("discovery_requests", "bob", "7");
  deliver("discovery_requests", "alice", "1"); // our own request: no answer
  deliver("discovery_requests", "carol");
  deliver("discovery_requests", "bad name"); // garbage: no answer
  CAF_REQUIRE_EQUAL(log->published.size(), 2u);
  auto& answer = log->published[0].second;
  CAF_CHECK_EQUAL(answer.exchange, "discovery_responses");
  CAF_CHECK_EQUAL(answer.routing_key, "bob");
  CAF_CHECK_EQUAL(answer.body, "alice");
  CAF_CHECK_EQUAL(answer.headers.at(endpoint_header), "10.0.0.1:4000");
  CAF_CHECK_EQUAL(answer.headers.at(groups_header), "room,den");
  CAF_CHECK_EQUAL(answer.headers.at(round_header), "7");
}

CAF_TEST(a round reports the answers of that round and who joined or left) {
  caf::anon_send(discovery, discover_atom::value, true);
  sched.run();
  CAF_REQUIRE_EQUAL(log->published.size(), 1u);
  CAF_CHECK_EQUAL(log->published[0].second.headers.at(round_header), "1");
  deliver("discovery_responses", "bob", "1", "10.0.0.2:4000");
  deliver("discovery_responses", "carol", "0"); // late answer to an old round
  deliver("discovery_responses", "dave");       // an original client: untagged
  sched.trigger_timeouts();
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 1u);
  auto& first = reports->back();
  CAF_REQUIRE_EQUAL(first.live.size(), 2u);
  CAF_CHECK_EQUAL(first.live[0].name, "bob");
  CAF_CHECK_EQUAL(first.live[0].endpoint, "10.0.0.2:4000");
  CAF_CHECK_EQUAL(first.live[1].name, "dave");
  CAF_CHECK_EQUAL(first.joined, (std::vector<std::string>{"bob", "dave"}));
  // Next round: only bob answers; dave is still listed from the previous
  // round's answer (an original client may just be slow).
  deliver("discovery_responses", "bob", "2");
  sched.trigger_timeouts();
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 2u);
  CAF_CHECK(reports->back().joined.empty());
  CAF_CHECK(reports->back().left.empty());
  CAF_CHECK_EQUAL(reports->back().live.size(), 2u);
  // Missing two rounds in a row: dave left.
  deliver("discovery_responses", "bob", "3");
  sched.trigger_timeouts();
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 3u);
  CAF_CHECK(reports->back().joined.empty());
  CAF_CHECK_EQUAL(reports->back().left, (std::vector<std::string>{"dave"}));
}

CAF_TEST(a round reports after the settle time not after the interval) {
  caf::anon_send(discovery, discover_atom::value, true);
  sched.run();
  deliver("discovery_responses", "bob", "1");
  CAF_CHECK_EQUAL(sched.advance_time(std::chrono::milliseconds{50}), 1u);
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 1u);
  CAF_CHECK_EQUAL(reports->back().joined, (std::vector<std::string>{"bob"}));
  // An answer after the report still counts, for the next round's report.
  deliver("discovery_responses", "erin");
  sched.advance_time(std::chrono::milliseconds{2950});
  sched.run();
  CAF_REQUIRE_EQUAL(log->published.size(), 2u); // the next request
  sched.advance_time(std::chrono::milliseconds{50});
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 2u);
  CAF_CHECK_EQUAL(reports->back().joined, (std::vector<std::string>{"erin"}));
  CAF_CHECK_EQUAL(reports->back().live.size(), 2u); // bob from round 1
}

CAF_TEST(the merge prefers this round then the registry then the previous round) {
  std::vector<peer_info> online{{"bob", "10.0.0.2:1", {"room"}},
                                {"alice", "10.0.0.1:1", {}},
                                {"carol", "10.0.0.3:1", {}}};
  std::map<std::string, peer_info> answers{{"bob", {"bob", "10.0.0.2:2", {"den"}}}};
  std::map<std::string, peer_info> earlier{{"carol", {"carol", "old:1", {}}},
                                           {"dave", {"dave", "", {}}}};
  auto report = merge_round("alice", online, answers, earlier, {"carol", "erin"});
  CAF_REQUIRE_EQUAL(report.live.size(), 3u); // not ourselves
  CAF_CHECK_EQUAL(report.live[0], (peer_info{"bob", "10.0.0.2:2", {"den"}}));
  CAF_CHECK_EQUAL(report.live[1], (peer_info{"carol", "10.0.0.3:1", {}}));
  CAF_CHECK_EQUAL(report.live[2], (peer_info{"dave", "", {}}));
  CAF_CHECK_EQUAL(report.joined, (std::vector<std::string>{"bob", "dave"}));
  CAF_CHECK_EQUAL(report.left, (std::vector<std::string>{"erin"}));
  auto empty = merge_round("alice", {}, {}, {}, {});
  CAF_CHECK(empty.live.empty() && empty.joined.empty() && empty.left.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

/// A discovery actor whose registry is a stand-in listing `online`.
struct registry_fixture : fixture {
  std::vector<peer_info> online{{"alice", "10.0.0.1:4000", {}},
                                {"bob", "10.0.0.2:4000", {"room"}}};
  /// Whether the stand-in answers only after 100 ms.
  bool slow = false;
  discovery_actor with_registry;

  registry_fixture() {
    // Answers at once or, slow, 100 ms later.
    auto fake = sys.spawn([this](caf::event_based_actor* me) -> caf::behavior {
      auto held = std::make_shared<std::vector<caf::response_promise>>();
      return {
          [this, me, held](online_atom) {
            auto promise = me->make_response_promise();
            if (slow) {
              held->push_back(promise);
              me->delayed_send(me, std::chrono::milliseconds{100}, flush_atom::value);
            } else {
              promise.deliver(online);
            }
            return promise;
          },
          [this, held](flush_atom) {
            for (auto& promise : *held)
              promise.deliver(online);
            held->clear();
          },
      };
    });
    // Replaces the plain fixture's discovery actor on the recorded channel.
    caf::anon_send_exit(discovery, caf::exit_reason::user_shutdown);
    sched.run();
    log->published.clear();
    discovery_config cfg{"alice",
                         "10.0.0.1:4000",
                         test::record_into(log),
                         std::chrono::seconds{3},
                         caf::actor_cast<registry_actor>(fake),
                         std::chrono::milliseconds{50}};
    auto listener = sys.spawn([r = reports](caf::event_based_actor*) -> caf::behavior {
      return {[r](report_atom, const discovery_report& x) { r->push_back(x); },
              [](event_atom, const chat_event&) {}};
    });
    with_registry = sys.spawn(discovery_impl, std::move(cfg), listener);
    sched.run();
  }

  ~registry_fixture() {
    caf::anon_send_exit(with_registry, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(discovery_registry_tests, registry_fixture)

CAF_TEST(a round lists the registry users and the AMQP answers but not us) {
  caf::anon_send(with_registry, discover_atom::value, true);
  sched.run();
  deliver("discovery_responses", "dave"); // an original client
  sched.advance_time(std::chrono::milliseconds{50});
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 1u);
  auto& report = reports->back();
  CAF_REQUIRE_EQUAL(report.live.size(), 2u);
  CAF_CHECK_EQUAL(report.live[0], (peer_info{"bob", "10.0.0.2:4000", {"room"}}));
  CAF_CHECK_EQUAL(report.live[1].name, "dave");
  CAF_CHECK_EQUAL(report.joined, (std::vector<std::string>{"bob", "dave"}));
}

CAF_TEST(a round waits for a registry that answers after the settle time) {
  slow = true;
  caf::anon_send(with_registry, discover_atom::value, true);
  sched.run();
  sched.advance_time(std::chrono::milliseconds{50});
  sched.run();
  CAF_CHECK(reports->empty());
  sched.advance_time(std::chrono::milliseconds{50});
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 1u);
  CAF_CHECK_EQUAL(reports->back().joined, (std::vector<std::string>{"bob"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
