#define CAF_SUITE broker_link_actor
#include "tests/dsl.hpp"

#include "actors/client/broker_link_actor.hpp"
#include "config/errors.hpp"

#include <caf/actor_system_config.hpp>
#include "tests/actors/client/fake_amqp_channel.hpp"

using namespace chat;

namespace {

using log_list = std::vector<std::shared_ptr<test::channel_log>>;

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<log_list> logs = std::make_shared<log_list>();
  std::shared_ptr<std::vector<chat_event>> events =
      std::make_shared<std::vector<chat_event>>();
  broker_link_actor link;

  fixture() {
    broker_link_settings settings;
    settings.max_groups = 2;
    settings.discovery_interval = std::chrono::seconds{3};
    settings.queue_expiry = std::chrono::seconds{60};
    link = spawn_broker_link(sys, "alice", settings, "127.0.0.1:1",
                             test::spawn_event_sink(sys, events), {},
                             test::record_each(logs));
    sched.run();
  }

  ~fixture() {
    stop();
    for (auto& log : *logs)
      log->cbs = {};
  }

  void stop() {
    caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// The channel whose first queue is `queue`.
  std::shared_ptr<test::channel_log> channel_of(const std::string& queue) {
    for (auto& log : *logs)
      if (!log->queues.empty() && log->queues.front().name == queue)
        return log;
    return nullptr;
  }

  /// Joins `group` and plays the broker confirming the subscription;
  /// returns the outcome.
  caf::error join(const std::string& group) {
    auto result = std::make_shared<caf::error>(make_error(errc::none, "no answer"));
    test::ask(sys, link,
              std::make_tuple([result](ok_atom) { *result = caf::error{}; },
                              [result](caf::error& err) { *result = err; }),
              join_atom::value, group, false);
    sched.run();
    if (auto log = channel_of("alice:" + group)) {
      log->cbs.status(true, "connected");
      log->run_barriers();
      sched.run();
    }
    return *result;
  }

  caf::error post(const std::string& group, std::string text) {
    auto result = std::make_shared<caf::error>(make_error(errc::none, "no answer"));
    test::ask(sys, link,
              std::make_tuple([result](ok_atom) { *result = caf::error{}; },
                              [result](caf::error& err) { *result = err; }),
              post_atom::value, group, std::move(text));
    sched.run();
    return *result;
  }
};

bool mentions(const caf::error& err, const std::string& part) {
  return err && describe(err).find(part) != std::string::npos;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(broker_link_actor_tests, fixture)

CAF_TEST(insults and discovery get a channel each and every group its own) {
  CAF_CHECK_EQUAL(logs->size(), 2u);
  CAF_CHECK(channel_of("insults_queue") != nullptr);
  CAF_CHECK(channel_of("alice:discovery_requests") != nullptr);
  CAF_CHECK(!join("room"));
  CAF_CHECK(!join("den"));
  CAF_CHECK_EQUAL(logs->size(), 4u);
  CAF_CHECK(channel_of("alice:room") != nullptr);
  CAF_CHECK(channel_of("alice:den") != nullptr);
}

CAF_TEST(a join past chat.max - groups or with a bad name is refused with the reason) {
  CAF_CHECK(!join("room"));
  CAF_CHECK(!join("den"));
  CAF_CHECK(mentions(join("third"), "chat.max-groups"));
  CAF_CHECK(mentions(join("a.b"), "invalid group name"));
  CAF_CHECK_EQUAL(logs->size(), 4u); // no channel for the refused ones
}

CAF_TEST(posting to a group not joined says so) {
  CAF_CHECK(mentions(post("nosuch", "hi"), "not a member of group nosuch"));
}

CAF_TEST(a post goes out on the group channel and is answered at the confirm) {
  CAF_REQUIRE(!join("room"));
  auto room = channel_of("alice:room");
  auto answers = std::make_shared<std::vector<caf::error>>();
  test::ask(sys, link,
            std::make_tuple([answers](ok_atom) { answers->emplace_back(); },
                            [answers](caf::error& err) { answers->push_back(err); }),
            post_atom::value, std::string{"room"}, std::string{"hello"});
  sched.run();
  // First the group was told that we joined (no answer waits for that).
  CAF_REQUIRE_EQUAL(room->published.size(), 2u);
  CAF_CHECK_EQUAL(room->published[0].second.headers.at("x-chat-event"), "join");
  CAF_CHECK_EQUAL(room->published[1].second.body, "alice: hello");
  CAF_CHECK(answers->empty()); // not before the broker has it
  room->cbs.confirmed(room->published[0].first, {});
  sched.run();
  CAF_CHECK(answers->empty());
  room->cbs.confirmed(room->published[1].first, {});
  sched.run();
  CAF_REQUIRE_EQUAL(answers->size(), 1u);
  CAF_CHECK(!answers->front());
}

CAF_TEST(a clean exit deletes the session queues) {
  CAF_REQUIRE(!join("room"));
  auto room = channel_of("alice:room");
  auto discovery = channel_of("alice:discovery_requests");
  stop();
  CAF_CHECK_EQUAL(room->deleted, std::vector<std::string>{"alice:room"});
  CAF_CHECK_EQUAL(discovery->deleted.size(), 2u);
  CAF_CHECK(room->closed);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(membership lasts in secure mode and ends with the session in open mode) {
  caf::actor_system_config cfg;
  auto secure = read_broker_link_settings(cfg, "127.0.0.1");
  CAF_CHECK(secure.lasting_membership);
  CAF_CHECK_EQUAL(secure.away_max_messages, defaults::away_max_messages);
  cfg.set("chat.allow-original-clients", true);
  CAF_CHECK(!read_broker_link_settings(cfg, "127.0.0.1").lasting_membership);
}
