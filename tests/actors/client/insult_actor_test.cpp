#define CAF_SUITE insult_actor
#include "tests/dsl.hpp"

#include "actors/client/insult_actor.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "tests/actors/client/fake_amqp_channel.hpp"

using namespace chat;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<test::channel_log> log = std::make_shared<test::channel_log>();
  std::shared_ptr<std::vector<chat_event>> events =
      std::make_shared<std::vector<chat_event>>();
  insult_actor insults;

  fixture() {
    auto parent = test::spawn_event_sink(sys, events);
    insults =
        sys.spawn(insult_impl, "alice", test::record_into(log), parent, sender_proof{});
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(insults, caf::exit_reason::user_shutdown);
    sched.run();
    log->cbs = {};
  }

  void deliver(amqp_delivery d) {
    log->cbs.delivery(std::move(d));
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(insult_actor_tests, fixture)

CAF_TEST(an insult is persistent and answered once the broker confirms it) {
  bool answered = false;
  test::ask(sys, insults, std::make_tuple([&](ok_atom) { answered = true; }),
            insult_atom::value, std::string{"you fool"});
  sched.run();
  CAF_REQUIRE_EQUAL(log->published.size(), 1u);
  auto& msg = log->published[0].second;
  CAF_CHECK_EQUAL(msg.exchange, "chat-actors.insults");
  CAF_CHECK(msg.persistent);
  CAF_CHECK(msg.mandatory);
  CAF_CHECK(!answered);
  log->cbs.confirmed(log->published[0].first, {});
  sched.run();
  CAF_CHECK(answered);
}

CAF_TEST(the shared queue is consumed one at a time only while the channel is open) {
  CAF_CHECK(log->consumers.empty());
  caf::anon_send(insults, open_atom::value);
  sched.run();
  CAF_REQUIRE_EQUAL(log->consumers.size(), 1u);
  CAF_CHECK_EQUAL(std::get<0>(log->consumers[0]), "insults_queue");
  CAF_CHECK_EQUAL(std::get<1>(log->consumers[0]), 1u); // prefetch: round-robin
  caf::anon_send(insults, close_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(log->cancelled.size(), 1u);
  // In flight while leaving: back to the queue for someone else.
  deliver(log->delivery(7, "bob-1", "late", "bob"));
  CAF_REQUIRE_EQUAL(log->rejected.size(), 1u);
  CAF_CHECK_EQUAL(log->rejected[0], std::make_pair(uint64_t{7}, true));
  CAF_CHECK(events->empty());
}

CAF_TEST(our own insult goes back to the queue a few times before we take it) {
  caf::anon_send(insults, open_atom::value);
  sched.run();
  for (uint64_t tag = 1; tag <= 4; ++tag)
    deliver(log->delivery(tag, "alice-1", "mine", "alice"));
  CAF_CHECK_EQUAL(log->rejected.size(), static_cast<size_t>(max_own_bounces));
  CAF_REQUIRE_EQUAL(log->acked.size(), 1u);
  CAF_REQUIRE_EQUAL(events->size(), 1u);
  CAF_CHECK((*events)[0].own);
  deliver(log->delivery(5, "bob-1", "yours", "bob"));
  CAF_CHECK_EQUAL(events->size(), 2u);
  CAF_CHECK_EQUAL(log->acked.size(), 2u);
}

CAF_TEST_FIXTURE_SCOPE_END()
