#define CAF_SUITE registry
#include <caf/test/unit_test.hpp>

#include "actors/client/registry_actor.hpp"
#include "config/errors.hpp"
#include "tests/integration/services.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <map>
#include <thread>

using namespace chat;
using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  redis_client redis{test::running_services().redis()};

  registry_actor spawn(caf::timespan ttl = 15s) {
    return spawn_registry(sys, test::running_services().redis(), ttl);
  }

  caf::expected<endpoint> register_as(const registry_actor& r, const std::string& name,
                                      endpoint ep = {"10.1.1.1", 4000}) {
    caf::expected<endpoint> result{caf::error{}};
    self->request(r, 5s, register_atom::value, name, ep)
        .receive([&](const endpoint& x) { result = x; },
                 [&](caf::error& e) { result = e; });
    return result;
  }

  caf::expected<endpoint> lookup(const registry_actor& r, const std::string& name) {
    caf::expected<endpoint> result{caf::error{}};
    self->request(r, 5s, lookup_atom::value, name)
        .receive([&](const endpoint& x) { result = x; },
                 [&](caf::error& e) { result = e; });
    return result;
  }

  /// The registry's list of live users, by name.
  std::map<std::string, peer_info> online(const registry_actor& r) {
    std::map<std::string, peer_info> result;
    self->request(r, 5s, online_atom::value)
        .receive(
            [&](const std::vector<peer_info>& xs) {
              for (auto& x : xs)
                result[x.name] = x;
            },
            [&](caf::error& e) { CAF_FAIL("online failed: " << caf::to_string(e)); });
    return result;
  }

  /// Redis' clock, ms since the epoch.
  int64_t redis_now() {
    auto t = redis.command({"TIME"});
    return std::stoll(t->elements[0].str) * 1000 + std::stoll(t->elements[1].str) / 1000;
  }

  /// Whether `name` is in the sorted set of live users.
  bool listed(const std::string& name) {
    auto reply = redis.command({"ZSCORE", online_key, name});
    return reply && reply->type != redis_reply::kind::nil;
  }

  /// `name`'s score in the sorted set (its lease end), 0 if none.
  int64_t score(const std::string& name) {
    auto reply = redis.command({"ZSCORE", online_key, name});
    return reply && reply->type == redis_reply::kind::string ? std::stoll(reply->str) : 0;
  }

  std::string field(const std::string& key, const std::string& name) {
    auto reply = redis.command({"HGET", key, name});
    return reply ? reply->str : "";
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(registry_tests, fixture)

CAF_TEST(two clients racing for one name: exactly one wins) {
  for (int round = 0; round < 20; ++round) {
    auto name = test::unique_name("race");
    auto a = spawn();
    auto b = spawn();
    self->send(a, register_atom::value, name, endpoint{"10.0.0.1", 1});
    self->send(b, register_atom::value, name, endpoint{"10.0.0.2", 2});
    int won = 0;
    int taken = 0;
    for (int i = 0; i < 2; ++i)
      self->receive([&](const endpoint&) { ++won; },
                    [&](caf::error& err) { taken += is(err, errc::name_taken) ? 1 : 0; });
    CAF_CHECK_EQUAL(won, 1);
    CAF_CHECK_EQUAL(taken, 1);
    self->send_exit(a, caf::exit_reason::user_shutdown);
    self->send_exit(b, caf::exit_reason::user_shutdown);
  }
}

CAF_TEST(registration keeps the original hash layout and sets a lease) {
  auto name = test::unique_name("lease");
  auto r = spawn(6s);
  auto ep = register_as(r, name);
  CAF_REQUIRE(ep);
  CAF_CHECK_EQUAL(field(name, "ip_address"), "10.1.1.1");
  CAF_CHECK_EQUAL(field(name, "port"), "4000");
  CAF_CHECK_EQUAL(field(name, "session").size(),
                  40u); // SHA-1 of the token, not the token
  auto ttl = redis.command({"PTTL", name});
  CAF_REQUIRE(ttl);
  CAF_CHECK_GREATER(ttl->integer, 0);
  CAF_CHECK_LESS_OR_EQUAL(ttl->integer, 6000);
  // The owner refreshes every ttl/3: after two TTLs it still holds the name.
  std::this_thread::sleep_for(7s);
  CAF_CHECK_EQUAL(field(name, "port"), "4000");
  self->send_exit(r, caf::exit_reason::user_shutdown);
}

CAF_TEST(an empty host is filled with the address facing Redis) {
  auto name = test::unique_name("auto");
  auto r = spawn();
  auto ep = register_as(r, name, endpoint{"", 5000});
  CAF_REQUIRE(ep);
  CAF_CHECK_EQUAL(ep->host, "127.0.0.1");
  CAF_CHECK_EQUAL(field(name, "ip_address"), "127.0.0.1");
  self->send_exit(r, caf::exit_reason::user_shutdown);
}

CAF_TEST(lookup finds live users and names unknown ones) {
  auto name = test::unique_name("look");
  auto owner = spawn();
  CAF_REQUIRE(register_as(owner, name));
  auto other = spawn();
  auto found = lookup(other, name);
  CAF_REQUIRE(found);
  CAF_CHECK_EQUAL(*found, (endpoint{"10.1.1.1", 4000}));
  auto missing = lookup(other, test::unique_name("nobody"));
  CAF_REQUIRE(!missing);
  CAF_CHECK(is(missing.error(), errc::unknown_user));
  CAF_CHECK(describe(missing.error()).find("is not online") != std::string::npos);
  self->send_exit(owner, caf::exit_reason::user_shutdown);
  self->send_exit(other, caf::exit_reason::user_shutdown);
}

CAF_TEST(invalid names are refused with the reason) {
  auto r = spawn();
  for (auto bad : {"a.b", "room*", "x#", "two words", ""}) {
    auto result = register_as(r, bad);
    CAF_REQUIRE(!result);
    CAF_CHECK(is(result.error(), errc::invalid_name));
  }
  self->send_exit(r, caf::exit_reason::user_shutdown);
}

CAF_TEST(a name held by an original client counts as taken) {
  auto name = test::unique_name("orig");
  CAF_REQUIRE(redis.command({"HSET", name, "ip_address", "10.9.9.9", "port", "1"}));
  auto r = spawn();
  auto result = register_as(r, name);
  CAF_REQUIRE(!result);
  CAF_CHECK(is(result.error(), errc::name_taken));
  redis.command({"DEL", name});
  self->send_exit(r, caf::exit_reason::user_shutdown);
}

CAF_TEST(unregister and exit free only our own name) {
  auto name = test::unique_name("mine");
  auto r = spawn();
  CAF_REQUIRE(register_as(r, name));
  // Someone else's session now owns the key (say our lease ran out).
  redis.command({"HSET", name, "session", "someone-else"});
  self->request(r, 5s, unregister_atom::value)
      .receive([](ok_atom) {}, [](caf::error&) {});
  CAF_CHECK_EQUAL(field(name, "session"), "someone-else");
  redis.command({"DEL", name});
  auto name2 = test::unique_name("exit");
  auto r2 = spawn();
  CAF_REQUIRE(register_as(r2, name2));
  self->send_exit(r2, caf::exit_reason::user_shutdown);
  self->wait_for(r2);
  auto exists = redis.command({"EXISTS", name2});
  CAF_REQUIRE(exists);
  CAF_CHECK_EQUAL(exists->integer, 0);
  self->send_exit(r, caf::exit_reason::user_shutdown);
}

CAF_TEST(online lists registered users and drops unregistered and expired ones) {
  auto alice = test::unique_name("onA");
  auto bob = test::unique_name("onB");
  auto ghost = test::unique_name("onG");
  auto gone = test::unique_name("onX");
  // A short lease: the refresh (every second) trims ended leases.
  auto a = spawn(3s);
  auto b = spawn();
  CAF_REQUIRE(register_as(a, alice));
  CAF_REQUIRE(register_as(b, bob, endpoint{"10.2.2.2", 5000}));
  self->send(a, groups_atom::value, std::vector<std::string>{"room", "den"});
  // A crashed client whose lease ended but is not trimmed yet, and an entry
  // whose key someone deleted: neither is listed.
  auto now = redis_now();
  redis.command({"ZADD", online_key, std::to_string(now - 1000), ghost});
  redis.command({"HSET", ghost, "ip_address", "10.9.9.9", "port", "1"});
  redis.command({"ZADD", online_key, std::to_string(now + 60000), gone});
  auto users = online(a);
  CAF_REQUIRE_EQUAL(users.count(alice), 1u);
  CAF_CHECK_EQUAL(users[alice], (peer_info{alice, "10.1.1.1:4000", {"room", "den"}}));
  CAF_CHECK_EQUAL(field(alice, "groups"), "room,den");
  CAF_REQUIRE_EQUAL(users.count(bob), 1u);
  CAF_CHECK_EQUAL(users[bob].endpoint, "10.2.2.2:5000");
  CAF_CHECK(users[bob].groups.empty());
  CAF_CHECK_EQUAL(users.count(ghost), 0u);
  CAF_CHECK_EQUAL(users.count(gone), 0u);
  // The score is the lease end.
  auto lease_end = score(alice);
  CAF_CHECK(lease_end > now && lease_end <= now + 3000 + 1000);
  // Unregistered: gone from the set at once.
  self->request(b, 5s, unregister_atom::value)
      .receive([](ok_atom) {}, [](caf::error&) {});
  CAF_CHECK_EQUAL(online(a).count(bob), 0u);
  CAF_CHECK(!listed(bob));
  // alice's next lease refresh trims the ended lease.
  std::this_thread::sleep_for(1500ms);
  CAF_CHECK(!listed(ghost));
  CAF_CHECK(score(alice) > lease_end);
  // Expired: a lease that is not refreshed any more (as after a crash)
  // drops out when it ends, though nothing removed it.
  redis.command({"ZADD", online_key, std::to_string(redis_now() + 300), ghost});
  CAF_CHECK_EQUAL(online(a).count(ghost), 1u);
  std::this_thread::sleep_for(400ms);
  CAF_CHECK_EQUAL(online(a).count(ghost), 0u);
  redis.command({"DEL", ghost});
  redis.command({"ZREM", online_key, ghost, gone});
  self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(b, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
