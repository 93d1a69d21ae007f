// Coming back: a member returns to N group messages that waited for it over
// five groups (N/5 each, 128-byte texts, persistent, unsigned as original
// clients send them). Both sides start from queues preloaded the same way.
//
// Ours: one broker_link re-joins the five groups of its lasting membership,
// as a returning client does. Measured from its start: until every group
// said how much waited (what the activity list shows as unread counts), and
// until every message was filed (shown, in the history, acked).
// Raw: one rabbitmq-c connection consumes the same five queues with manual
// acks; measured from its connect until every message was acked.

#include "actors/client/broker_link_actor.hpp"
#include "bench/bench_util.hpp"
#include "bench/cases.hpp"
#include "bench/raw_amqp.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <thread>
#include <unistd.h>

namespace chat::bench {

namespace {

constexpr size_t groups = 5;
constexpr size_t text_size = 128;
constexpr auto time_limit = std::chrono::seconds{60};
/// What both sides declare (ours must find its queues as it left them).
constexpr auto keep = std::chrono::hours{1};

std::vector<std::string> group_names(const std::string& prefix) {
  std::vector<std::string> result;
  for (size_t i = 0; i < groups; ++i)
    result.push_back(prefix + "g" + std::to_string(i));
  return result;
}

/// Declares `user`'s subscription queues as a lasting membership does and
/// publishes `per_group` messages into each; returns once the broker has
/// them all.
void preload(uint16_t port, const std::string& user, const std::vector<std::string>& gs,
             size_t per_group, int64_t max_length) {
  auto conn = raw_amqp_open(port);
  amqp_table_entry_t args[3];
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(keep).count();
  const char* keys[] = {"x-expires", "x-message-ttl", "x-max-length"};
  int64_t values[] = {ms, ms, max_length};
  for (int i = 0; i < 3; ++i) {
    args[i].key = amqp_cstring_bytes(keys[i]);
    args[i].value.kind = AMQP_FIELD_KIND_I64;
    args[i].value.value.i64 = values[i];
  }
  auto sender = user + "s";
  std::string text(text_size, 'x');
  for (auto& g : gs) {
    auto queue = user + ":" + g;
    amqp_queue_declare(conn, 1, raw_bytes(queue), 0, 1, 0, 0, amqp_table_t{3, args});
    raw_check(amqp_get_rpc_reply(conn), "queue.declare");
    auto key = "*." + g + ".*";
    amqp_queue_bind(conn, 1, raw_bytes(queue), amqp_cstring_bytes("group_chat"),
                    raw_bytes(key), amqp_empty_table);
    raw_check(amqp_get_rpc_reply(conn), "queue.bind");
    auto routing_key = sender + "." + g + ".msg";
    for (size_t i = 0; i < per_group; ++i) {
      auto body = sender + ": " + text;
      auto id = sender + "-" + g + "-" + std::to_string(i);
      amqp_basic_properties_t props;
      props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG;
      props.delivery_mode = 2;
      props.message_id = raw_bytes(id);
      amqp_basic_publish(conn, 1, amqp_cstring_bytes("group_chat"),
                         raw_bytes(routing_key), 0, 0, &props, raw_bytes(body));
    }
  }
  // A passive declare answers with what waits: done once all is there.
  auto start = clock::now();
  for (auto& g : gs) {
    auto queue = user + ":" + g;
    for (;;) {
      auto ok =
          amqp_queue_declare(conn, 1, raw_bytes(queue), 1, 0, 0, 0, amqp_empty_table);
      raw_check(amqp_get_rpc_reply(conn), "queue.declare passive");
      if (ok->message_count >= per_group || clock::now() - start > time_limit)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
  }
  raw_amqp_close(conn);
}

void delete_queues(uint16_t port, const std::string& user,
                   const std::vector<std::string>& gs) {
  auto conn = raw_amqp_open(port);
  for (auto& g : gs) {
    auto queue = user + ":" + g;
    amqp_queue_delete(conn, 1, raw_bytes(queue), 0, 0);
    amqp_get_rpc_reply(conn);
  }
  raw_amqp_close(conn);
}

struct timings {
  /// Until every group told what waited (ours only).
  double counts_ms = 0;
  /// Until every message was filed (ours) or acked (raw).
  double drained_ms = 0;
};

timings run_ours(const bench_settings& s, size_t n, const std::string& prefix) {
  auto user = prefix + "o";
  auto gs = group_names(prefix);
  preload(s.amqp_port, user, gs, n / groups, static_cast<int64_t>(n));
  broker_link_settings bs;
  bs.amqp.host = "127.0.0.1";
  bs.amqp.port = s.amqp_port;
  bs.amqp.user = s.amqp_user;
  bs.amqp.password = s.amqp_password;
  bs.queue_expiry = std::chrono::seconds{60};
  bs.discovery_interval = std::chrono::seconds{3};
  bs.lasting_membership = true;
  bs.away_keep = keep;
  bs.away_max_messages = static_cast<int64_t>(n);
  bs.announce = false;
  // Before the actor system: the listener uses them until it is gone.
  std::atomic<size_t> told{0};
  std::atomic<size_t> filed{0};
  std::atomic<int64_t> counts_ns{0};
  std::atomic<int64_t> drained_ns{0};
  auto start = clock::now();
  auto since_start = [&start] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - start)
        .count();
  };
  caf::actor_system_config cfg;
  configure(s, cfg);
  caf::actor_system sys{cfg};
  auto listener = sys.spawn([&](caf::event_based_actor*) -> caf::behavior {
    return {
        [&](event_atom, const chat_event& ev) {
          if (!ev.backlog)
            return;
          if (ev.kind == chat_event::info && ++told == groups)
            counts_ns = since_start();
          if (ev.kind == chat_event::message && ++filed == n)
            drained_ns = since_start();
        },
        [](report_atom, const discovery_report&) {},
    };
  });
  timings t;
  {
    caf::scoped_actor self{sys};
    start = clock::now();
    auto link = spawn_broker_link(sys, user, bs, "127.0.0.1:1", listener);
    for (auto& g : gs)
      self->send(link, rejoin_atom::value, g, false);
    while (filed.load() < n && clock::now() - start < time_limit)
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    if (filed.load() < n)
      std::fprintf(stderr, "backlog: only %zu of %zu filed within the time limit\n",
                   filed.load(), n);
    t.counts_ms = static_cast<double>(counts_ns.load()) / 1e6;
    t.drained_ms = static_cast<double>(drained_ns.load()) / 1e6;
    self->send_exit(link, caf::exit_reason::user_shutdown);
    self->wait_for(link);
    self->send_exit(listener, caf::exit_reason::user_shutdown);
  }
  delete_queues(s.amqp_port, user, gs);
  return t;
}

timings run_raw(const bench_settings& s, size_t n, const std::string& prefix) {
  auto user = prefix + "r";
  auto gs = group_names(prefix);
  preload(s.amqp_port, user, gs, n / groups, static_cast<int64_t>(n));
  auto start = clock::now();
  auto conn = raw_amqp_open(s.amqp_port);
  for (auto& g : gs) {
    auto queue = user + ":" + g;
    amqp_basic_consume(conn, 1, raw_bytes(queue), amqp_empty_bytes, 0, 0, 0,
                       amqp_empty_table);
    raw_check(amqp_get_rpc_reply(conn), "basic.consume");
  }
  size_t got = 0;
  while (got < n && clock::now() - start < time_limit) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(conn);
    timeval tv{0, 200000};
    auto res = amqp_consume_message(conn, &env, &tv, 0);
    if (res.reply_type == AMQP_RESPONSE_NORMAL) {
      amqp_basic_ack(conn, 1, env.delivery_tag, 0);
      amqp_destroy_envelope(&env);
      ++got;
    } else if (res.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
               res.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      amqp_frame_t frame;
      amqp_simple_wait_frame(conn, &frame); // not a delivery: skip it
    }
  }
  timings t;
  t.drained_ms = seconds_since(start) * 1000;
  raw_amqp_close(conn);
  delete_queues(s.amqp_port, user, gs);
  return t;
}

} // namespace

void backlog_case(const bench_settings& s) {
  auto n = std::max<size_t>(s.n / groups * groups, groups);
  std::vector<timings> ours;
  std::vector<timings> raw;
  for (size_t i = 0; i < s.repeat; ++i) {
    auto prefix = "bb" + std::to_string(getpid()) + "r" + std::to_string(i);
    raw.push_back(run_raw(s, n, prefix));
    ours.push_back(run_ours(s, n, prefix));
  }
  auto label = "back after an absence N=" + std::to_string(n) + " in 5 groups";
  row_ours(label + ": unread counts known", "ms", median_of(ours, &timings::counts_ms));
  row(label + ": all filed", "ms", median_of(ours, &timings::drained_ms),
      median_of(raw, &timings::drained_ms));
  auto rate = [n](double ms) { return ms > 0 ? static_cast<double>(n) * 1000 / ms : 0; };
  row(label + ": drained", "msg/s", rate(median_of(ours, &timings::drained_ms)),
      rate(median_of(raw, &timings::drained_ms)));
}

} // namespace chat::bench
