#define CAF_SUITE discovery_actor
#include "tests/dsl.hpp"

#include "actors/amqp_protocol.hpp"
#include "actors/discovery_actor.hpp"
#include "tests/actors/fake_amqp_channel.hpp"

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
                         std::chrono::seconds{3}, std::chrono::seconds{60}};
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
  // Next round: only bob answers, dave left.
  deliver("discovery_responses", "bob", "2");
  sched.trigger_timeouts();
  sched.run();
  CAF_REQUIRE_EQUAL(reports->size(), 2u);
  CAF_CHECK(reports->back().joined.empty());
  CAF_CHECK_EQUAL(reports->back().left, (std::vector<std::string>{"dave"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
