#define CAF_SUITE locator
#include "tests/dsl.hpp"

#include "actors/client/locator_client_actor.hpp"
#include "actors/common/locator_protocol.hpp"
#include "actors/server/lan_locator_actor.hpp"
#include "config/errors.hpp"

using namespace chat;

namespace {

/// Records what an actor sends instead of touching the network.
struct fake_socket : udp_socket {
  struct sent {
    std::string ip;
    uint16_t port;
    std::string payload;
  };
  std::shared_ptr<std::vector<sent>> log = std::make_shared<std::vector<sent>>();
  void send_to(const std::string& ip, uint16_t port, std::string payload) override {
    log->push_back({ip, port, std::move(payload)});
  }
  uint16_t local_port() const override { return 4242; }
};

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<std::vector<fake_socket::sent>> sent;

  /// Asks `client` for the server from an event-based actor and keeps the
  /// outcome in `found` / `failure`.
  void locate(const locator_client_actor& client) {
    sys.spawn([=, this](caf::event_based_actor* asker) -> caf::behavior {
      asker->request(client, caf::infinite, locate_atom::value)
          .then([=, this](const std::string& ip) { found = ip; },
                [=, this](caf::error& err) { failure = err; });
      return {[](int) {}};
    });
    sched.run();
  }

  /// Hands a datagram to an actor as its socket adapter would.
  template <class Handle> void deliver(const Handle& hdl, udp_datagram dgram) {
    caf::anon_send(hdl, datagram_atom::value, std::move(dgram));
    sched.run();
  }

  std::string found;
  caf::error failure;

  udp_socket_factory fake() {
    return [this](caf::actor, std::string&) {
      auto socket = std::make_unique<fake_socket>();
      sent = socket->log;
      return socket;
    };
  }
};

udp_datagram from(std::string payload, std::string ip = "10.0.0.2") {
  return udp_datagram{std::move(payload), std::move(ip), 5555, false};
}

} // namespace

CAF_TEST(reply parsing accepts only a dotted quad) {
  CAF_CHECK_EQUAL(locator::parse_reply("SERVER_IP:10.1.2.3"), std::string{"10.1.2.3"});
  CAF_CHECK(!locator::parse_reply("SERVER_IP:"));
  CAF_CHECK(!locator::parse_reply("SERVER_IP:10.1.2"));
  CAF_CHECK(!locator::parse_reply("SERVER_IP:10.1.2.3; rm -rf"));
  CAF_CHECK(!locator::parse_reply("HELLO"));
}

CAF_TEST_FIXTURE_SCOPE(locator_tests, fixture)

CAF_TEST(the server answers requests with the address facing the sender) {
  auto server = sys.spawn(lan_locator_impl, fake(), locator_services{});
  sched.run();
  deref<std::remove_pointer_t<lan_locator_pointer>>(server).state.address_towards =
      [](const std::string& ip) {
        return ip == "10.0.0.2" ? std::string{"10.0.0.1"} : std::string{};
      };
  deliver(server, from("DISCOVERY_REQUEST"));
  CAF_REQUIRE_EQUAL(sent->size(), 1u);
  CAF_CHECK_EQUAL(sent->at(0).payload, "SERVER_IP:10.0.0.1");
  CAF_CHECK_EQUAL(sent->at(0).ip, "10.0.0.2");
  CAF_CHECK_EQUAL(sent->at(0).port, 5555);
}

CAF_TEST(the server counts and ignores malformed datagrams) {
  auto server = sys.spawn(lan_locator_impl, fake(), locator_services{});
  sched.run();
  auto& st = deref<std::remove_pointer_t<lan_locator_pointer>>(server).state;
  st.address_towards = [](const std::string&) { return std::string{"10.0.0.1"}; };
  auto oversized = from("DISCOVERY_REQUEST");
  oversized.truncated = true;
  for (auto dgram : {from("DISCOVERY_REQUES"), from("DISCOVERY_REQUEST\n"), from(""),
                     from(std::string(3000, 'x')), oversized})
    deliver(server, dgram);
  CAF_CHECK_EQUAL(sent->size(), 0u);
  CAF_CHECK_EQUAL(st.ignored, 5u);
  deliver(server, from("DISCOVERY_REQUEST"));
  CAF_CHECK_EQUAL(st.answered, 1u);
}

CAF_TEST(the client repeats its broadcast until an answer comes) {
  locator_search search;
  search.target = "10.0.0.255";
  search.port = 37020;
  auto client = sys.spawn(locator_client_impl, search, fake());
  sched.run();
  locate(client);
  CAF_REQUIRE_EQUAL(sent->size(), 1u);
  CAF_CHECK_EQUAL(sent->at(0).ip, "10.0.0.255");
  CAF_CHECK_EQUAL(sent->at(0).payload, "DISCOVERY_REQUEST");
  advance_time(std::chrono::seconds{2});
  sched.run();
  CAF_CHECK_EQUAL(sent->size(), 2u);
  deliver(client, from("SERVER_IP:10.0.0.1", "10.0.0.1"));
  sched.run();
  CAF_CHECK(found.empty()); // other servers may still answer
  advance_time(std::chrono::milliseconds{300});
  sched.run();
  CAF_CHECK_EQUAL(found, "10.0.0.1");
}

CAF_TEST(the client returns every server that answers soon after the first) {
  locator_search search;
  auto client = sys.spawn(locator_client_impl, search, fake());
  sched.run();
  locate(client);
  deliver(client, from("SERVER_IP:10.0.0.66", "10.0.0.66")); // a fast rogue
  deliver(client, from("SERVER_IP:10.0.0.1", "10.0.0.1"));
  deliver(client, from("SERVER_IP:10.0.0.66", "10.0.0.66"));
  deliver(client, from("SERVER_IP:10.0.0.2", "10.0.0.2"));
  advance_time(std::chrono::milliseconds{300});
  sched.run();
  CAF_CHECK_EQUAL(found, "10.0.0.66,10.0.0.1,10.0.0.2");
  // A late answer changes nothing.
  deliver(client, from("SERVER_IP:10.0.0.3", "10.0.0.3"));
  CAF_CHECK_EQUAL(found, "10.0.0.66,10.0.0.1,10.0.0.2");
}

CAF_TEST(the client gives up after the timeout with a clear error) {
  locator_search search;
  search.timeout = std::chrono::seconds{5};
  auto client = sys.spawn(locator_client_impl, search, fake());
  sched.run();
  locate(client);
  for (int second = 0; second < 5; ++second) {
    advance_time(std::chrono::seconds{1});
    sched.run();
  }
  CAF_CHECK(found.empty());
  CAF_CHECK(is(failure, errc::server_not_found));
  CAF_CHECK_GREATER_OR_EQUAL(sent->size(), 3u);
}

CAF_TEST(with a join code only answers that prove it count) {
  auto key = locator::reply_key("member-password");
  auto server = sys.spawn(lan_locator_impl, fake(), locator_services{{}, {}, key});
  sched.run();
  auto& server_st = deref<std::remove_pointer_t<lan_locator_pointer>>(server).state;
  server_st.address_towards = [](const std::string&) { return std::string{"10.0.0.1"}; };
  auto server_sent = sent;
  locator_search search;
  search.reply_key = key;
  search.timeout = std::chrono::seconds{5};
  auto client = sys.spawn(locator_client_impl, search, fake());
  sched.run();
  locate(client);
  CAF_REQUIRE_EQUAL(sent->size(), 1u);
  auto request = sent->at(0).payload;
  CAF_CHECK_NOT_EQUAL(request, "DISCOVERY_REQUEST");
  // A rogue without the code: plain, forged, and replayed-for-another-nonce
  // answers are all ignored.
  deliver(client, from("SERVER_IP:10.0.0.66", "10.0.0.66"));
  deliver(client,
          from(request.replace(0, 17, "SERVER_IP:10.0.0.66") + ":00", "10.0.0.66"));
  deliver(client,
          from(locator::make_reply(key, "10.0.0.66", "00112233445566778899aabbccddeeff"),
               "10.0.0.66"));
  // The real server answers the request it got.
  deliver(server, from(sent->at(0).payload, "10.0.0.2"));
  CAF_REQUIRE_EQUAL(server_sent->size(), 1u);
  deliver(client, from(server_sent->at(0).payload, "10.0.0.1"));
  advance_time(std::chrono::milliseconds{300});
  sched.run();
  CAF_CHECK_EQUAL(found, "10.0.0.1");
}

CAF_TEST(a client with a join code says when only unproven answers came) {
  locator_search search;
  search.reply_key = locator::reply_key("member-password");
  search.timeout = std::chrono::seconds{2};
  auto client = sys.spawn(locator_client_impl, search, fake());
  sched.run();
  locate(client);
  deliver(client, from("SERVER_IP:10.0.0.66", "10.0.0.66"));
  advance_time(std::chrono::seconds{2});
  sched.run();
  CAF_CHECK(is(failure, errc::server_not_found));
  CAF_CHECK(describe(failure).find("1 answers did not prove the join code") !=
            std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
