#define CAF_SUITE broker
#include <caf/test/unit_test.hpp>

#include "actors/client/group_actor.hpp"
#include "adapters/common/amqp_connection.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/errors.hpp"
#include "tests/integration/broker_clients.hpp"
#include "tests/integration/services.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <thread>

using namespace chat;
using namespace chat::test;
using namespace std::chrono_literals;

namespace {

/// A bare rabbitmq-c connection, as an original client would use it.
struct raw_amqp {
  amqp_connection_state_t conn = amqp_new_connection();
  raw_amqp() {
    auto sock = amqp_tcp_socket_new(conn);
    CAF_REQUIRE_EQUAL(amqp_socket_open(sock, "127.0.0.1", running_services().amqp_port),
                      AMQP_STATUS_OK);
    auto& node = running_services();
    auto r = amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                        node.amqp_user.c_str(), node.amqp_password.c_str());
    CAF_REQUIRE_EQUAL(r.reply_type, AMQP_RESPONSE_NORMAL);
    amqp_channel_open(conn, 1);
    CAF_REQUIRE_EQUAL(amqp_get_rpc_reply(conn).reply_type, AMQP_RESPONSE_NORMAL);
  }
  ~raw_amqp() {
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
  }
  bool ok() { return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL; }
  /// Passive declare: whether the queue exists (reopens the channel if not).
  bool queue_exists(const std::string& name) {
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(name.c_str()), 1, 0, 0, 0,
                       amqp_empty_table);
    auto r = amqp_get_rpc_reply(conn);
    if (r.reply_type == AMQP_RESPONSE_NORMAL)
      return true;
    // 405 RESOURCE_LOCKED: it exists, exclusive to another connection.
    bool locked = r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
                  r.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
                  static_cast<amqp_channel_close_t*>(r.reply.decoded)->reply_code == 405;
    amqp_channel_close_ok_t close_ok{};
    amqp_send_method(conn, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
    amqp_channel_open(conn, 1);
    CAF_REQUIRE(ok());
    return locked;
  }
  void publish(const std::string& exchange, const std::string& key,
               const std::string& body) {
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = 2;
    CAF_REQUIRE_EQUAL(amqp_basic_publish(conn, 1, amqp_cstring_bytes(exchange.c_str()),
                                         amqp_cstring_bytes(key.c_str()), 0, 0, &props,
                                         amqp_cstring_bytes(body.c_str())),
                      AMQP_STATUS_OK);
  }
};

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::deque<client> clients; // stable references

  client& add(const std::string& name, broker_link_settings s = test_settings()) {
    clients.push_back(make_client(sys, name, std::move(s)));
    return clients.back();
  }

  void stop(client& c, caf::exit_reason why = caf::exit_reason::user_shutdown) {
    self->send_exit(c.link, why);
    self->wait_for(c.link);
    self->send_exit(c.listener, caf::exit_reason::user_shutdown);
  }

  ~fixture() {
    for (auto& c : clients) {
      self->send_exit(c.link, caf::exit_reason::user_shutdown);
      self->send_exit(c.listener, caf::exit_reason::user_shutdown);
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(broker_tests, fixture)

CAF_TEST(five subscribers over three groups and each message reaches exactly its group) {
  auto tag = unique_name("t");
  std::vector<std::string> groups{"red" + tag, "green" + tag, "blue" + tag};
  // member i joins groups[i % 3] and groups[(i + 1) % 3] if i is even.
  std::map<std::string, std::set<std::string>> members;
  for (int i = 0; i < 5; ++i) {
    auto& c = add("u" + std::to_string(i) + tag);
    std::vector<std::string> mine{groups[i % 3]};
    if (i % 2 == 0)
      mine.push_back(groups[(i + 1) % 3]);
    for (auto& g : mine) {
      CAF_REQUIRE(ask_ok(self, c.link, join_atom::value, g, false));
      members[g].insert(c.name);
    }
  }
  // Everyone posts to each of their groups.
  int sent = 0;
  for (auto& c : clients)
    for (auto& [g, names] : members)
      if (names.count(c.name)) {
        CAF_REQUIRE(ask_ok(self, c.link, post_atom::value, g, "hello from " + c.name));
        ++sent;
      }
  // Expected: each member sees every other member's message in that group.
  auto expected = [&](const client& c, const std::string& g) {
    return members[g].count(c.name) ? members[g].size() - 1 : 0;
  };
  CAF_CHECK(wait_until([&] {
    for (auto& c : clients)
      for (auto& g : groups)
        if (c.box->messages("group:" + g).size() != expected(c, g))
          return false;
    return true;
  }));
  std::this_thread::sleep_for(500ms); // let stray deliveries show up
  for (auto& c : clients)
    for (auto& g : groups) {
      auto got = c.box->messages("group:" + g);
      CAF_CHECK_EQUAL(got.size(), expected(c, g));
      for (auto& ev : got) {
        CAF_CHECK(members[g].count(ev.from) == 1);
        CAF_CHECK_EQUAL(ev.text, "hello from " + ev.from);
      }
    }
  // History: own lines plus others', oldest first.
  auto& c0 = clients[0];
  auto h = history(self, c0, "group:" + groups[0]);
  CAF_CHECK_EQUAL(h.size(), members[groups[0]].size());
  CAF_CHECK(std::is_sorted(h.begin(), h.end(),
                           [](auto& a, auto& b) { return a.ts_ms < b.ts_ms; }));
  CAF_MESSAGE(sent << " messages checked");
}

CAF_TEST(group names that could inject routing wildcards are refused) {
  auto& c = add(unique_name("namer"));
  for (auto bad : {"a.b", "room*", "x#", "two words", "", "a:b"}) {
    CAF_CHECK(!ask_ok(self, c.link, join_atom::value, std::string{bad}, false));
    CAF_CHECK(is(last_error(), errc::invalid_name));
  }
  CAF_CHECK(
      !ask_ok(self, c.link, post_atom::value, std::string{"nogroup"}, std::string{"x"}));
}

CAF_TEST(leaving and re - entering a group view loses and duplicates nothing) {
  auto g = unique_name("view");
  auto& a = add(unique_name("sender"));
  auto& b = add(unique_name("reader"));
  CAF_REQUIRE(ask_ok(self, a.link, join_atom::value, g, false));
  CAF_REQUIRE(ask_ok(self, b.link, join_atom::value, g, false));
  auto chat = "group:" + g;
  constexpr int n = 60;
  std::thread poster{[&] {
    caf::scoped_actor me{sys};
    for (int i = 0; i < n; ++i)
      ask_ok(me, a.link, post_atom::value, g, "m" + std::to_string(i));
  }};
  for (int i = 0; i < 20; ++i) {
    caf::anon_send(b.link, open_atom::value, chat);
    std::this_thread::sleep_for(5ms);
    caf::anon_send(b.link, close_atom::value, chat);
  }
  poster.join();
  CAF_CHECK(wait_until([&] { return b.box->messages(chat).size() >= n; }));
  std::this_thread::sleep_for(300ms);
  auto h = history(self, b, chat);
  CAF_REQUIRE_EQUAL(h.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    CAF_CHECK_EQUAL(h[i].text, "m" + std::to_string(i));
  // Unread counts what arrives while the view is elsewhere (it is closed now).
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(ask_ok(self, a.link, post_atom::value, g, "later" + std::to_string(i)));
  CAF_CHECK(wait_until([&] { return b.box->messages(chat).size() >= n + 3; }));
  std::vector<chat_summary> chats;
  self->request(b.link, 5s, chats_atom::value)
      .receive([&](std::vector<chat_summary>& xs) { chats = xs; }, [](caf::error&) {});
  auto i =
      std::find_if(chats.begin(), chats.end(), [&](auto& x) { return x.chat == chat; });
  CAF_REQUIRE(i != chats.end());
  CAF_CHECK_GREATER_OR_EQUAL(i->unread, 3u);
}

CAF_TEST(own echo is detected by header and not by body prefix) {
  auto g = unique_name("echo");
  auto tag = unique_name("");
  auto& al = add("al" + tag);
  auto& alice = add("alice" + tag);
  CAF_REQUIRE(ask_ok(self, al.link, join_atom::value, g, false));
  CAF_REQUIRE(ask_ok(self, alice.link, join_atom::value, g, false));
  // alice's name starts with al's name: al must still see her message.
  CAF_REQUIRE(ask_ok(self, alice.link, post_atom::value, g, std::string{"hi al"}));
  CAF_REQUIRE(ask_ok(self, al.link, post_atom::value, g, std::string{"hi alice"}));
  CAF_CHECK(wait_until([&] { return al.box->messages("group:" + g).size() == 1; }));
  CAF_CHECK(wait_until([&] { return alice.box->messages("group:" + g).size() == 1; }));
  std::this_thread::sleep_for(300ms);
  // Each sees its own line once (not echoed twice) and the other's once.
  CAF_CHECK_EQUAL(history(self, al, "group:" + g).size(), 2u);
  CAF_CHECK_EQUAL(history(self, alice, "group:" + g).size(), 2u);
}

CAF_TEST(interop with the original wire format) {
  auto g = unique_name("wire");
  auto& c = add(unique_name("modern"));
  CAF_REQUIRE(ask_ok(self, c.link, join_atom::value, g, false));
  raw_amqp raw;
  // The original's consumer: queue <user>:<group> bound with *.<group>.*.
  auto orig = unique_name("orig");
  auto q = orig + ":" + g;
  amqp_queue_declare(raw.conn, 1, amqp_cstring_bytes(q.c_str()), 0, 1, 0, 0,
                     amqp_empty_table);
  CAF_REQUIRE(raw.ok());
  amqp_queue_bind(raw.conn, 1, amqp_cstring_bytes(q.c_str()),
                  amqp_cstring_bytes("group_chat"),
                  amqp_cstring_bytes(("*." + g + ".*").c_str()), amqp_empty_table);
  CAF_REQUIRE(raw.ok());
  raw.publish("group_chat", orig + "." + g + ".msg", orig + ": hello from python");
  CAF_CHECK(wait_until([&] { return c.box->messages("group:" + g).size() == 1; }));
  auto got = c.box->messages("group:" + g);
  if (!got.empty()) {
    CAF_CHECK_EQUAL(got[0].from, orig);
    CAF_CHECK_EQUAL(got[0].text, "hello from python");
  }
  CAF_REQUIRE(ask_ok(self, c.link, post_atom::value, g, std::string{"hello back"}));
  amqp_basic_consume(raw.conn, 1, amqp_cstring_bytes(q.c_str()), amqp_empty_bytes, 0, 1,
                     0, amqp_empty_table);
  CAF_REQUIRE(raw.ok());
  std::vector<std::pair<std::string, std::string>> seen; // routing key, body
  int mode = 0;
  timeval tv{5, 0};
  // Our join notice may come first (published once our queue was live).
  for (int i = 0; i < 3 && mode == 0; ++i) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(raw.conn);
    auto r = amqp_consume_message(raw.conn, &env, &tv, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
      break;
    auto str = [](amqp_bytes_t b) {
      return std::string(static_cast<char*>(b.bytes), b.len);
    };
    seen.emplace_back(str(env.routing_key), str(env.message.body));
    if (str(env.message.body) == c.name + ": hello back")
      mode = env.message.properties.delivery_mode;
    amqp_destroy_envelope(&env);
  }
  auto want = std::make_pair(c.name + "." + g + ".msg", c.name + ": hello back");
  CAF_CHECK(std::find(seen.begin(), seen.end(), want) != seen.end());
  CAF_CHECK_EQUAL(mode, 2);
  amqp_queue_delete(raw.conn, 1, amqp_cstring_bytes(q.c_str()), 0, 0);
}

CAF_TEST(insults are shared fairly by three consumers and never lost) {
  auto tag = unique_name("ins");
  auto& sender = add("s" + tag);
  std::vector<client*> consumers;
  for (int i = 0; i < 3; ++i)
    consumers.push_back(&add("c" + std::to_string(i) + tag));
  for (auto c : consumers)
    caf::anon_send(c->link, open_atom::value, std::string{"insults"});
  std::this_thread::sleep_for(2s); // consumers attach
  auto mine = [&](client* c) {
    size_t n = 0;
    for (auto& ev : c->box->messages("insults"))
      n += ev.text.starts_with(tag) ? 1 : 0;
    return n;
  };
  constexpr size_t n = 30;
  for (size_t i = 0; i < n; ++i) {
    CAF_REQUIRE(
        ask_ok(self, sender.link, insult_atom::value, tag + " #" + std::to_string(i)));
    std::this_thread::sleep_for(20ms); // paced, so every consumer is idle again
  }
  CAF_CHECK(wait_until(
      [&] { return mine(consumers[0]) + mine(consumers[1]) + mine(consumers[2]) >= n; }));
  std::this_thread::sleep_for(500ms);
  size_t total = 0;
  for (auto c : consumers) {
    auto k = mine(c);
    total += k;
    CAF_MESSAGE(c->name << " got " << k);
    CAF_CHECK_GREATER_OR_EQUAL(k, n / 3 - 1);
    CAF_CHECK_LESS_OR_EQUAL(k, n / 3 + 1);
  }
  CAF_CHECK_EQUAL(total, n);
  CAF_CHECK_EQUAL(mine(&sender), 0u);
  for (auto c : consumers)
    caf::anon_send(c->link, close_atom::value, std::string{"insults"});
}

CAF_TEST(the sender does not get its own insult while others listen) {
  auto tag = unique_name("own");
  auto& a = add("a" + tag);
  auto& b = add("b" + tag);
  caf::anon_send(a.link, open_atom::value, std::string{"insults"});
  caf::anon_send(b.link, open_atom::value, std::string{"insults"});
  std::this_thread::sleep_for(2s);
  for (int i = 0; i < 6; ++i)
    CAF_REQUIRE(ask_ok(self, a.link, insult_atom::value, tag + std::to_string(i)));
  CAF_CHECK(wait_until([&] { return b.box->messages("insults").size() >= 6; }));
  std::this_thread::sleep_for(300ms);
  size_t own = 0;
  {
    std::lock_guard<std::mutex> guard{a.box->mtx};
    for (auto& ev : a.box->events)
      own += ev.chat == "insults" && ev.kind == chat_event::message ? 1 : 0;
  }
  CAF_CHECK_EQUAL(own, 0u);
  caf::anon_send(a.link, close_atom::value, std::string{"insults"});
  caf::anon_send(b.link, close_atom::value, std::string{"insults"});
}

CAF_TEST(discovery reports exactly the live clients and drops one that exits) {
  auto tag = unique_name("disc");
  auto& seeker = add("seek" + tag);
  auto& p1 = add("p1" + tag);
  auto& p2 = add("p2" + tag);
  CAF_REQUIRE(ask_ok(self, p1.link, join_atom::value, "room" + tag, false));
  std::this_thread::sleep_for(1s); // every client's request queue is bound
  auto ours = [&](const discovery_report& r) {
    std::set<std::string> names;
    for (auto& p : r.live)
      if (p.name.find(tag) != std::string::npos)
        names.insert(p.name);
    return names;
  };
  caf::anon_send(seeker.link, discover_atom::value, true);
  auto started = std::chrono::steady_clock::now();
  CAF_REQUIRE(wait_until([&] { return !seeker.box->all_reports().empty(); }, 3500ms));
  CAF_CHECK_LESS_OR_EQUAL(std::chrono::steady_clock::now() - started, 3500ms);
  auto first = seeker.box->all_reports().front();
  CAF_CHECK_EQUAL(ours(first), (std::set<std::string>{p1.name, p2.name}));
  for (auto& p : first.live)
    if (p.name == p1.name) {
      CAF_CHECK_EQUAL(p.endpoint, "127.0.0.1:4000");
      CAF_CHECK_EQUAL(p.groups, std::vector<std::string>{"room" + tag});
    }
  stop(p2);
  CAF_REQUIRE(wait_until(
      [&] {
        auto rs = seeker.box->all_reports();
        return ours(rs.back()) == std::set<std::string>{p1.name};
      },
      8s));
  auto rs = seeker.box->all_reports();
  bool left = false;
  for (auto& r : rs)
    left = left || std::count(r.left.begin(), r.left.end(), p2.name) > 0;
  CAF_CHECK(left);
  caf::anon_send(seeker.link, discover_atom::value, false);
}

CAF_TEST(discovery lists registry users and an original client that answers over AMQP) {
  auto tag = unique_name("reg");
  auto redis = running_services().redis();
  // The seeker asks the registry too; a user known only to the registry
  // (no broker link at all) can be listed only from there.
  auto seeker_registry = spawn_registry(sys, redis, 15s);
  auto listed_registry = spawn_registry(sys, redis, 15s);
  auto seeker_name = "seek" + tag;
  auto listed_name = "only" + tag;
  for (auto& [r, name, ep] :
       {std::tuple{seeker_registry, seeker_name, endpoint{"127.0.0.1", 4000}},
        std::tuple{listed_registry, listed_name, endpoint{"10.3.3.3", 7000}}})
    self->request(r, 5s, register_atom::value, name, ep)
        .receive([](const endpoint&) {},
                 [](caf::error& e) { CAF_FAIL("register: " << caf::to_string(e)); });
  self->send(listed_registry, groups_atom::value, std::vector<std::string>{"den" + tag});
  clients.push_back(make_client(sys, seeker_name, test_settings(), seeker_registry));
  auto& seeker = clients.back();
  // An original client (docs/protocol.md): its own request queue, answers with
  // its bare name, no headers; not in the registry's set.
  raw_amqp raw;
  auto orig = "orig" + tag;
  auto requests = orig + ":discovery_requests";
  amqp_queue_declare(raw.conn, 1, amqp_cstring_bytes(requests.c_str()), 0, 1, 0, 0,
                     amqp_empty_table);
  CAF_REQUIRE(raw.ok());
  amqp_queue_bind(raw.conn, 1, amqp_cstring_bytes(requests.c_str()),
                  amqp_cstring_bytes("discovery_requests"), amqp_empty_bytes,
                  amqp_empty_table);
  amqp_basic_consume(raw.conn, 1, amqp_cstring_bytes(requests.c_str()), amqp_empty_bytes,
                     0, 1, 0, amqp_empty_table);
  CAF_REQUIRE(raw.ok());
  std::this_thread::sleep_for(1s); // the seeker's queues are bound
  auto names = [&](const discovery_report& r) {
    std::set<std::string> result;
    for (auto& p : r.live)
      if (p.name.find(tag) != std::string::npos)
        result.insert(p.name);
    return result;
  };
  caf::anon_send(seeker.link, discover_atom::value, true);
  auto started = std::chrono::steady_clock::now();
  // Answer every request for three rounds, as the original does.
  while (seeker.box->all_reports().size() < 3 &&
         std::chrono::steady_clock::now() - started < 15s) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(raw.conn);
    timeval tv{0, 100000};
    auto r = amqp_consume_message(raw.conn, &env, &tv, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
      continue;
    std::string asker(static_cast<char*>(env.message.body.bytes), env.message.body.len);
    amqp_destroy_envelope(&env);
    if (asker == seeker_name)
      raw.publish("discovery_responses", asker, orig);
  }
  caf::anon_send(seeker.link, discover_atom::value, false);
  auto rs = seeker.box->all_reports();
  CAF_REQUIRE_GREATER_OR_EQUAL(rs.size(), 3u);
  // The first report already lists the registry's user, with its fields.
  CAF_CHECK_EQUAL(names(rs[0]).count(listed_name), 1u);
  for (auto& p : rs[0].live)
    if (p.name == listed_name) {
      CAF_CHECK_EQUAL(p.endpoint, "10.3.3.3:7000");
      CAF_CHECK_EQUAL(p.groups, std::vector<std::string>{"den" + tag});
    }
  CAF_CHECK_EQUAL(names(rs[0]).count(seeker_name), 0u); // not ourselves
  // The original client from the second report on at the latest, and never
  // reported as left.
  CAF_CHECK_EQUAL(names(rs[1]), (std::set<std::string>{listed_name, orig}));
  CAF_CHECK_EQUAL(names(rs[2]), (std::set<std::string>{listed_name, orig}));
  for (auto& r : rs)
    CAF_CHECK_EQUAL(std::count(r.left.begin(), r.left.end(), orig), 0);
  amqp_queue_delete(raw.conn, 1, amqp_cstring_bytes(requests.c_str()), 0, 0);
  self->send_exit(seeker_registry, caf::exit_reason::user_shutdown);
  self->send_exit(listed_registry, caf::exit_reason::user_shutdown);
}

CAF_TEST(a clean exit deletes the queues and a crashed session is not inherited) {
  auto g = unique_name("sess");
  auto name = unique_name("sess");
  raw_amqp raw;
  {
    auto s = test_settings();
    s.queue_expiry = 3s;
    auto& c = add(name, s);
    CAF_REQUIRE(ask_ok(self, c.link, join_atom::value, g, false));
    CAF_CHECK(raw.queue_exists(name + ":" + g));
    stop(c);
    // The children delete their queues as they go (the CLI awaits them).
    CAF_CHECK(wait_until([&] { return !raw.queue_exists(name + ":" + g); }, 10s));
    CAF_CHECK(
        wait_until([&] { return !raw.queue_exists(name + ":discovery_requests"); }));
  }
  {
    auto s = test_settings();
    s.queue_expiry = 3s;
    auto& c = add(name, s);
    CAF_REQUIRE(ask_ok(self, c.link, join_atom::value, g, false));
    stop(c, caf::exit_reason::kill); // a crash: nothing cleaned up
    CAF_CHECK(raw.queue_exists(name + ":" + g));
    // A message for the dead session waits in its queue...
    raw.publish("group_chat", "x." + g + ".msg", "x: for the dead session");
    auto& again = add(name, test_settings());
    CAF_REQUIRE(ask_ok(self, again.link, join_atom::value, g, false));
    std::this_thread::sleep_for(1s);
    // ...and the next session of that name does not inherit it.
    CAF_CHECK_EQUAL(history(self, again, "group:" + g).size(), 0u);
    stop(again, caf::exit_reason::kill);
  }
  // Unused queues of a crashed session expire (x-expires = 3 s here).
  auto crashed = unique_name("gone");
  auto s = test_settings();
  s.queue_expiry = 2s;
  auto& c = add(crashed, s);
  CAF_REQUIRE(ask_ok(self, c.link, join_atom::value, g, false));
  stop(c, caf::exit_reason::kill);
  CAF_CHECK(raw.queue_exists(crashed + ":" + g));
  // A passive declare renews the lease, so look only every 4 s.
  bool gone = false;
  for (int i = 0; i < 4 && !gone; ++i) {
    std::this_thread::sleep_for(4s);
    gone = !raw.queue_exists(crashed + ":" + g);
  }
  CAF_CHECK(gone);
  CAF_CHECK(!raw.queue_exists(crashed + ":discovery_requests"));
}

CAF_TEST(a restarted link re - joins with its queue and gets what arrived meanwhile) {
  auto g = unique_name("again");
  auto name = unique_name("again");
  raw_amqp raw;
  auto& c = add(name);
  CAF_REQUIRE(ask_ok(self, c.link, join_atom::value, g, false));
  // The link fails (no clean exit): its queue stays and fills.
  stop(c, caf::exit_reason::kill);
  for (auto text : {"x: one", "x: two"})
    raw.publish("group_chat", "x." + g + ".msg", text);
  // Its supervisor starts a new link for the same session, which re-joins.
  auto& again = add(name);
  CAF_REQUIRE(ask_ok(self, again.link, rejoin_atom::value, g, false));
  CAF_CHECK(wait_until([&] { return again.box->messages("group:" + g).size() == 2; }));
  auto h = history(self, again, "group:" + g);
  CAF_REQUIRE_EQUAL(h.size(), 2u);
  CAF_CHECK_EQUAL(h[0].text, "one");
  CAF_CHECK_EQUAL(h[1].text, "two");
}

CAF_TEST(transient joins use an exclusive queue that dies with the client) {
  auto g = unique_name("tr");
  auto& a = add(unique_name("ta"));
  auto& b = add(unique_name("tb"));
  CAF_REQUIRE(ask_ok(self, a.link, join_atom::value, g, true));
  CAF_REQUIRE(ask_ok(self, b.link, join_atom::value, g, false));
  CAF_REQUIRE(ask_ok(self, a.link, post_atom::value, g, std::string{"fleeting"}));
  CAF_CHECK(wait_until([&] { return b.box->messages("group:" + g).size() == 1; }));
  raw_amqp raw;
  CAF_CHECK(raw.queue_exists(a.name + ":" + g));
  stop(a, caf::exit_reason::kill);
  CAF_CHECK(wait_until([&] { return !raw.queue_exists(a.name + ":" + g); }, 10s));
}

CAF_TEST_FIXTURE_SCOPE_END()
