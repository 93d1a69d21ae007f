#define CAF_SUITE broker_restart
#include <caf/test/unit_test.hpp>

// The broker is SIGKILLed under live clients and restarted by a private
// server node: no persistent message is lost, the server re-binds recorded
// subscriptions (even an original client's, which never re-binds), and new
// messages reach everyone.

#include "actors/common/subscriptions.hpp"
#include "adapters/common/amqp_connection.hpp"
#include "tests/integration/broker_clients.hpp"
#include "tests/integration/services.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace chat;
using namespace chat::test;
using namespace std::chrono_literals;

// CAF_REQUIRE aborts, which would leave the server node running.
#define CHECK_OR_STOP(x)                                                                 \
  {                                                                                      \
    bool ok_ = (x);                                                                      \
    CAF_CHECK(ok_);                                                                      \
    if (!ok_)                                                                            \
      return;                                                                            \
  }

namespace {

uint16_t free_port() {
  static uint16_t next = static_cast<uint16_t>(30000 + getpid() % 5000);
  return next += 7;
}

/// A private `chat-actors server` (managed Redis + RabbitMQ).
struct server_node {
  std::string dir;
  uint16_t redis_port = free_port();
  uint16_t amqp_port = free_port();
  uint16_t locator_port = free_port();
  pid_t pid = -1;

  server_node() {
    char tmpl[] = "/tmp/chat-restart-XXXXXX";
    dir = mkdtemp(tmpl);
    auto bin = std::getenv("CHAT_BIN");
    CAF_REQUIRE(bin != nullptr);
    pid = fork();
    if (pid == 0) {
      auto log = dir + "/server.log";
      freopen(log.c_str(), "w", stdout);
      freopen(log.c_str(), "a", stderr);
      auto a1 = "--chat.redis-port=" + std::to_string(redis_port);
      auto a2 = "--chat.amqp-port=" + std::to_string(amqp_port);
      auto a3 = "--chat.locator-port=" + std::to_string(locator_port);
      auto a4 = "--chat.state-dir=" + dir + "/state";
      // Open mode: this test checks an original client's queue (guest,
      // plaintext), as original clients still connect with
      // chat.allow-original-clients.
      execl(bin, bin, "server", a1.c_str(), a2.c_str(), a3.c_str(), a4.c_str(),
            "--chat.allow-original-clients=true", nullptr);
      _exit(127);
    }
  }

  std::string log() const {
    std::ifstream in{dir + "/server.log"};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  size_t count(const std::string& line) const {
    auto text = log();
    size_t n = 0;
    for (auto pos = text.find(line); pos != std::string::npos;
         pos = text.find(line, pos + 1))
      ++n;
    return n;
  }

  /// Flushes the broker's metadata log to disk. RabbitMQ may keep a queue
  /// declared a moment ago only in memory (Mnesia's log cache): a SIGKILL
  /// right then loses the queue with its confirmed messages — RabbitMQ's
  /// durability window, not ours. A subscriber here subscribed long before.
  bool sync_broker_metadata() const {
    auto ctl = dir + "/state/rabbitmq-" + std::to_string(amqp_port) + "/rabbitmqctl";
    auto cmd = ctl + " eval 'mnesia:sync_log().' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }

  /// SIGKILLs the broker's Erlang VM (by its node name).
  bool kill_broker() {
    auto cmd = "pgrep -f '" + dir + "/state' ";
    auto p = popen(cmd.c_str(), "r");
    int victim = 0;
    int killed = 0;
    while (fscanf(p, "%d", &victim) == 1) {
      std::ifstream comm{"/proc/" + std::to_string(victim) + "/comm"};
      std::string name;
      comm >> name;
      if (name == "beam.smp" && ::kill(victim, SIGKILL) == 0)
        ++killed;
    }
    pclose(p);
    return killed > 0;
  }

  /// Keeps the state directory (logs) for a post-mortem.
  bool keep = false;

  ~server_node() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      for (int i = 0; i < 600 && waitpid(pid, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(100ms);
      if (waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
      }
    }
    if (keep) {
      std::cerr << "server node logs kept in " << dir << "\n" << log();
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

struct on_exit {
  std::function<void()> fn;
  ~on_exit() { fn(); }
};

/// Messages in a queue (passive declare), -1 if it is missing or the
/// broker does not answer.
int64_t queued(uint16_t port, const std::string& queue) {
  auto raw = amqp_new_connection();
  auto sock = amqp_tcp_socket_new(raw);
  int64_t result = -1;
  if (amqp_socket_open(sock, "127.0.0.1", port) == AMQP_STATUS_OK &&
      amqp_login(raw, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest")
              .reply_type == AMQP_RESPONSE_NORMAL) {
    amqp_channel_open(raw, 1);
    auto ok = amqp_queue_declare(raw, 1, amqp_cstring_bytes(queue.c_str()), 1, 0, 0, 0,
                                 amqp_empty_table);
    if (ok != nullptr)
      result = ok->message_count;
    amqp_connection_close(raw, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(raw);
  return result;
}

} // namespace

CAF_TEST(broker restart under live clients loses no persistent message) {
  server_node node;
  CHECK_OR_STOP(wait_until([&] { return node.count("ready:") > 0; }, 150s));
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  {
    caf::scoped_actor self{sys};
    auto g = unique_name("phoenix");
    auto settings = test_settings(node.amqp_port);
    // The original client's queue is counted message by message: no join
    // notices racing with its declaration (e2e.group_notices tests those).
    settings.announce = false;
    std::deque<client> clients;
    // Stops the clients on every way out, so the actor system can end.
    on_exit stop_clients{[&] {
      for (auto& x : clients) {
        self->send_exit(x.link, caf::exit_reason::user_shutdown);
        self->wait_for(x.link);
        self->send_exit(x.listener, caf::exit_reason::user_shutdown);
      }
    }};
    for (auto name : {"ann", "ben", "cyd"}) {
      clients.push_back(make_client(sys, name + g, settings));
      CHECK_OR_STOP(ask_ok(self, clients.back().link, join_atom::value, g, false));
    }
    auto& a = clients[0];
    auto& b = clients[1];
    auto& c = clients[2];
    // An original client: durable queue, bound once, never re-bound by
    // itself; its subscription is on record so the server re-binds it.
    auto orig = "orig" + g;
    {
      caf::error err;
      amqp_settings s;
      s.port = node.amqp_port;
      auto conn = amqp_connection::open(s, err);
      CHECK_OR_STOP(conn != nullptr);
      CHECK_OR_STOP(
          !conn->declare_queue(first_channel, {orig + ":" + g, true, false, false, 0}));
      CHECK_OR_STOP(!conn->bind_queue(first_channel, orig + ":" + g, "group_chat",
                                      "*." + g + ".*"));
      redis_settings rs;
      rs.port = node.redis_port;
      redis_client redis{rs};
      CHECK_OR_STOP(
          static_cast<bool>(redis.command({"SADD", subscriptions_key(orig), g})));
    }
    // The server node binds the recorded subscription to the durable twin
    // (every 2 s): from then on the binding survives a broker restart.
    CHECK_OR_STOP(wait_until(
        [&] { return node.count("new subscriptions bound to the durable twin") >= 1; },
        10s));
    CHECK_OR_STOP(node.sync_broker_metadata());
    constexpr int before = 20;
    constexpr int during = 10;
    for (int i = 0; i < before; ++i)
      CHECK_OR_STOP(ask_ok(self, a.link, post_atom::value, g, "m" + std::to_string(i)));
    CHECK_OR_STOP(node.kill_broker());
    CAF_MESSAGE("broker killed after " << before << " confirmed messages");
    // Posted while the broker is down: held until it is back.
    std::thread poster{[&] {
      caf::scoped_actor me{sys};
      for (int i = before; i < before + during; ++i)
        ask_ok(me, a.link, post_atom::value, g, "m" + std::to_string(i));
    }};
    CAF_CHECK(wait_until([&] { return node.count("rabbitmq ready") >= 2; }, 150s));
    poster.join();
    constexpr size_t total = before + during;
    for (auto* x : {&b, &c}) {
      CAF_CHECK(wait_until([&] { return x->box->messages("group:" + g).size() >= total; },
                           60s));
      auto h = history(self, *x, "group:" + g);
      CAF_CHECK_EQUAL(h.size(), total); // none lost, none twice
      for (size_t i = 0; i < h.size() && i < total; ++i)
        CAF_CHECK_EQUAL(h[i].text, "m" + std::to_string(i));
    }
    // After the restart, a new message reaches everyone.
    CHECK_OR_STOP(ask_ok(self, c.link, post_atom::value, g, std::string{"after"}));
    for (auto* x : {&a, &b})
      CAF_CHECK(wait_until([&] {
        auto ms = x->box->messages("group:" + g);
        return !ms.empty() && ms.back().text == "after";
      }));
    // The original client's queue kept everything and was re-bound by the
    // server node: all messages, including the one sent after the restart.
    auto orig_done = wait_until(
        [&] { return queued(node.amqp_port, orig + ":" + g) == int64_t{total + 1}; },
        10s);
    CAF_CHECK(orig_done);
    node.keep = !orig_done;
    CAF_MESSAGE("original client's queue holds "
                << queued(node.amqp_port, orig + ":" + g));
    bool told = false;
    {
      std::lock_guard<std::mutex> guard{b.box->mtx};
      for (auto& ev : b.box->events)
        told = told || (ev.kind == chat_event::info && ev.text == "reconnected");
    }
    CAF_CHECK(told);
  }
  sys.await_all_actors_done();
}
