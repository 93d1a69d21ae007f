// Group fan-out: 1 sender, 1 group, S subscribers, 128-byte texts,
// persistent messages with publisher confirms. Delivered messages/s and
// end-to-end latency (send timestamp inside the text).
//
// Ours: one broker_link per simulated user (sender included), one process;
// the posts come from an event-based actor, as the CLI actor's do.
// Raw: one rabbitmq-c publisher connection with confirms and S consumer
// connections/threads on durable queues bound `*.<group>.*` on the
// `group_chat` topic exchange, manual ack, no prefetch limit (as ours).
// Both keep at most `window` posts unconfirmed.

#include "actors/client/broker_link_actor.hpp"
#include "adapters/client/identity_store.hpp"
#include "bench/bench_util.hpp"
#include "bench/cases.hpp"
#include "bench/raw_amqp.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

namespace chat::bench {

namespace {

constexpr size_t text_size = 128;
constexpr size_t window = 128;
constexpr auto time_limit = std::chrono::seconds{60};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             clock::now().time_since_epoch())
      .count();
}

/// "ts=<ns> " padded to 128 bytes.
std::string stamped_text() {
  auto text = "ts=" + std::to_string(now_ns()) + " ";
  text.resize(text_size, 'x');
  return text;
}

/// Latency in µs of a text made by stamped_text (somewhere in `body`).
double latency_us(std::string_view body) {
  auto pos = body.find("ts=");
  if (pos == std::string_view::npos)
    return -1;
  int64_t ts = std::strtoll(body.data() + pos + 3, nullptr, 10);
  return static_cast<double>(now_ns() - ts) / 1000.0;
}

/// What one subscriber received.
struct sink {
  std::mutex mtx;
  std::vector<double> lat_us;
};

struct totals {
  std::atomic<size_t> delivered{0};
  std::atomic<int64_t> last_ns{0};
  void record(sink& s, double lat) {
    {
      std::lock_guard<std::mutex> guard{s.mtx};
      s.lat_us.push_back(lat);
    }
    last_ns = now_ns();
    ++delivered;
  }
};

struct result {
  double rate = 0;
  double p50 = 0;
  double p99 = 0;
};

result summarize(std::vector<std::unique_ptr<sink>>& sinks, totals& t, int64_t start_ns) {
  std::vector<double> all;
  for (auto& s : sinks)
    all.insert(all.end(), s->lat_us.begin(), s->lat_us.end());
  result r;
  auto secs = static_cast<double>(t.last_ns.load() - start_ns) / 1e9;
  r.rate = secs > 0 ? static_cast<double>(t.delivered.load()) / secs : 0;
  r.p50 = percentile(all, 50);
  r.p99 = percentile(all, 99);
  return r;
}

void wait_all(totals& t, size_t expected, clock::time_point start) {
  while (t.delivered.load() < expected && clock::now() - start < time_limit)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  if (t.delivered.load() < expected)
    std::fprintf(stderr, "group: only %zu of %zu delivered within the time limit\n",
                 t.delivered.load(), expected);
}

struct poster_state {
  broker_link_actor link;
  std::string group;
  size_t n = 0;
  size_t sent = 0;
  size_t answered = 0;
  std::shared_ptr<std::promise<void>> done;
};

using poster_actor = caf::stateful_actor<poster_state>;

/// Keeps `window` posts unconfirmed until all `n` are answered.
void post_more(poster_actor* self) {
  auto& st = self->state;
  auto answered = [self] {
    auto& st = self->state;
    if (++st.answered < st.n)
      return post_more(self);
    st.done->set_value();
    self->quit();
  };
  for (; st.sent < st.n && st.sent - st.answered < window; ++st.sent)
    // As the CLI actor posts: the group actor answers every post.
    self->request(st.link, caf::infinite, post_atom::value, st.group, stamped_text())
        .then([answered](ok_atom) { answered(); },
              [answered](caf::error&) { answered(); });
}

/// Posts `n` stamped texts through `link` from an event-based actor on the
/// same scheduler, as the client's CLI actor does; false if not all were
/// answered within the time limit.
bool post_all(caf::actor_system& sys, broker_link_actor link, const std::string& group,
              size_t n) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  sys.spawn([=](poster_actor* self) {
    self->state = poster_state{link, group, n, 0, 0, done};
    post_more(self);
  });
  return finished.wait_for(time_limit) == std::future_status::ready;
}

/// `with_signatures` false: nobody signs or verifies (what the actors cost
/// without the identity checks real clients do).
result run_ours(const bench_settings& s, size_t subscribers, size_t n,
                const std::string& group, bool with_signatures) {
  broker_link_settings bs;
  bs.amqp.host = "127.0.0.1";
  bs.amqp.port = s.amqp_port;
  bs.amqp.user = s.amqp_user;
  bs.amqp.password = s.amqp_password;
  bs.queue_expiry = std::chrono::seconds{60};
  bs.discovery_interval = std::chrono::seconds{3};
  caf::actor_system_config cfg;
  configure(s, cfg);
  caf::actor_system sys{cfg};
  std::vector<std::unique_ptr<sink>> sinks;
  totals t;
  std::vector<broker_link_actor> links;
  std::vector<caf::actor> listeners;
  result r;
  {
    caf::scoped_actor self{sys};
    auto chat = "group:" + group;
    auto prefix = "bg" + std::to_string(getpid()) + "-" + std::to_string(subscribers);
    // Every post is signed and every delivery verified, as between real
    // clients; the sender's key is pinned already (no registry here).
    auto sender_name = prefix + "u0";
    auto sender_key = ed25519_key::generate();
    // links[0] is the sender; its own listener counts nothing.
    for (size_t i = 0; i <= subscribers; ++i) {
      auto name = prefix + "u" + std::to_string(i);
      auto pins = std::make_shared<known_peers>("", name);
      pins->trust(sender_name, sender_key->public_hex());
      bs.proof =
          with_signatures
              ? sender_proof{i == 0 ? sender_key : ed25519_key::generate(), pins, {}}
              : sender_proof{};
      sinks.emplace_back(std::make_unique<sink>());
      sinks.back()->lat_us.reserve(n);
      auto* sk = i == 0 ? nullptr : sinks.back().get();
      auto* tp = &t;
      auto listener = sys.spawn([sk, tp, chat](caf::event_based_actor*) -> caf::behavior {
        return {
            [sk, tp, chat](event_atom, const chat_event& ev) {
              if (sk != nullptr && ev.kind == chat_event::message && !ev.own &&
                  ev.chat == chat)
                tp->record(*sk, latency_us(ev.text));
            },
            [](report_atom, const discovery_report&) {},
        };
      });
      listeners.push_back(listener);
      links.push_back(spawn_broker_link(sys, name, bs, "127.0.0.1:1", listener));
    }
    bool joined = true;
    for (auto& link : links)
      self->request(link, std::chrono::seconds{30}, join_atom::value, group, false)
          .receive([](ok_atom) {}, [&](caf::error&) { joined = false; });
    if (!joined)
      std::fprintf(stderr, "group: a join failed\n");
    auto start = clock::now();
    auto start_ns = now_ns();
    if (!post_all(sys, links[0], group, n))
      std::fprintf(stderr, "group: not all posts confirmed within the time limit\n");
    wait_all(t, n * subscribers, start);
    r = summarize(sinks, t, start_ns);
    for (auto& link : links)
      self->send_exit(link, caf::exit_reason::user_shutdown);
    for (auto& link : links)
      self->wait_for(link);
    for (auto& l : listeners)
      self->send_exit(l, caf::exit_reason::user_shutdown);
  }
  return r;
}

void raw_consumer(uint16_t port, std::string queue, std::string group, sink& sk,
                  totals& t, size_t n, std::atomic<size_t>& ready,
                  clock::time_point deadline) {
  auto conn = raw_amqp_open(port);
  amqp_exchange_declare(conn, 1, amqp_cstring_bytes("group_chat"),
                        amqp_cstring_bytes("topic"), 0, 0, 0, 0, amqp_empty_table);
  raw_check(amqp_get_rpc_reply(conn), "exchange.declare");
  amqp_table_entry_t expires;
  expires.key = amqp_cstring_bytes("x-expires");
  expires.value.kind = AMQP_FIELD_KIND_I64;
  expires.value.value.i64 = 60000;
  amqp_table_t args{1, &expires};
  amqp_queue_delete(conn, 1, raw_bytes(queue), 0, 0);
  amqp_get_rpc_reply(conn);
  amqp_queue_declare(conn, 1, raw_bytes(queue), 0, 1, 0, 0, args);
  raw_check(amqp_get_rpc_reply(conn), "queue.declare");
  auto key = "*." + group + ".*";
  amqp_queue_bind(conn, 1, raw_bytes(queue), amqp_cstring_bytes("group_chat"),
                  raw_bytes(key), amqp_empty_table);
  raw_check(amqp_get_rpc_reply(conn), "queue.bind");
  amqp_basic_consume(conn, 1, raw_bytes(queue), amqp_empty_bytes, 0, 0, 0,
                     amqp_empty_table);
  raw_check(amqp_get_rpc_reply(conn), "basic.consume");
  ++ready;
  size_t got = 0;
  while (got < n && clock::now() < deadline) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(conn);
    timeval tv{0, 200000};
    auto res = amqp_consume_message(conn, &env, &tv, 0);
    if (res.reply_type == AMQP_RESPONSE_NORMAL) {
      std::string_view body{static_cast<const char*>(env.message.body.bytes),
                            env.message.body.len};
      t.record(sk, latency_us(body));
      amqp_basic_ack(conn, 1, env.delivery_tag, 0);
      amqp_destroy_envelope(&env);
      ++got;
    } else if (res.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
               res.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      amqp_frame_t frame;
      amqp_simple_wait_frame(conn, &frame); // not a delivery: skip it
    }
  }
  amqp_queue_delete(conn, 1, raw_bytes(queue), 0, 0);
  amqp_get_rpc_reply(conn);
  raw_amqp_close(conn);
}

/// `own_queue`: the sender also has its subscription queue (as every
/// broker_link member does), consumed but not counted.
result run_raw(const bench_settings& s, size_t subscribers, size_t n,
               const std::string& group, bool own_queue) {
  std::vector<std::unique_ptr<sink>> sinks;
  totals t;
  sink own_sink;
  totals own_totals;
  std::atomic<size_t> ready{0};
  auto deadline = clock::now() + time_limit + std::chrono::seconds{30};
  std::vector<std::thread> consumers;
  auto prefix = "br" + std::to_string(getpid()) + "-" + std::to_string(subscribers);
  for (size_t i = 0; i < subscribers; ++i) {
    sinks.emplace_back(std::make_unique<sink>());
    sinks.back()->lat_us.reserve(n);
    consumers.emplace_back(
        raw_consumer, s.amqp_port, prefix + "u" + std::to_string(i + 1) + ":" + group,
        group, std::ref(*sinks.back()), std::ref(t), n, std::ref(ready), deadline);
  }
  if (own_queue)
    consumers.emplace_back(raw_consumer, s.amqp_port, prefix + "u0:" + group, group,
                           std::ref(own_sink), std::ref(own_totals), n, std::ref(ready),
                           deadline);
  auto expected_ready = subscribers + (own_queue ? 1 : 0);
  while (ready.load() < expected_ready && clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  auto conn = raw_amqp_open(s.amqp_port);
  amqp_confirm_select(conn, 1);
  raw_check(amqp_get_rpc_reply(conn), "confirm.select");
  auto sender = prefix + "u0";
  auto routing_key = sender + "." + group + ".msg";
  amqp_table_entry_t header;
  header.key = amqp_cstring_bytes("x-chat-sender");
  header.value.kind = AMQP_FIELD_KIND_UTF8;
  header.value.value.bytes = raw_bytes(sender);
  auto start = clock::now();
  auto start_ns = now_ns();
  std::set<uint64_t> outstanding;
  uint64_t seq = 0;
  auto read_confirms = [&](timeval* tv) {
    amqp_frame_t frame;
    if (amqp_simple_wait_frame_noblock(conn, &frame, tv) != AMQP_STATUS_OK)
      return;
    if (frame.frame_type == AMQP_FRAME_METHOD &&
        frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      if (ack->multiple)
        outstanding.erase(outstanding.begin(),
                          outstanding.upper_bound(ack->delivery_tag));
      else
        outstanding.erase(ack->delivery_tag);
    }
    amqp_maybe_release_buffers(conn);
  };
  for (size_t i = 0; i < n && clock::now() - start < time_limit; ++i) {
    while (outstanding.size() >= window && clock::now() - start < time_limit) {
      timeval tv{1, 0};
      read_confirms(&tv);
    }
    auto body = sender + ": " + stamped_text();
    auto id = sender + "-" + std::to_string(i + 1);
    amqp_basic_properties_t props;
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG |
                   AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_HEADERS_FLAG;
    props.delivery_mode = 2;
    props.content_type = amqp_cstring_bytes("text/plain");
    props.message_id = raw_bytes(id);
    props.headers = amqp_table_t{1, &header};
    amqp_basic_publish(conn, 1, amqp_cstring_bytes("group_chat"), raw_bytes(routing_key),
                       0, 0, &props, raw_bytes(body));
    outstanding.insert(++seq);
  }
  while (!outstanding.empty() && clock::now() - start < time_limit) {
    timeval tv{1, 0};
    read_confirms(&tv);
  }
  wait_all(t, n * subscribers, start);
  for (auto& th : consumers)
    th.join();
  raw_amqp_close(conn);
  return summarize(sinks, t, start_ns);
}

} // namespace

/// One run of one side (`--group-run=S:variant`), e.g. under `perf`.
void group_single_run(const bench_settings& s) {
  auto colon = s.group_run.find(':');
  auto subscribers = std::strtoul(s.group_run.c_str(), nullptr, 10);
  auto variant =
      colon == std::string::npos ? std::string{} : s.group_run.substr(colon + 1);
  auto group = "bench" + std::to_string(getpid()) + "one";
  result r;
  if (variant == "raw" || variant == "raw-own")
    r = run_raw(s, subscribers, s.n, group, variant == "raw-own");
  else if (variant == "signed" || variant == "unsigned")
    r = run_ours(s, subscribers, s.n, group, variant == "signed");
  else {
    std::fprintf(stderr, "--group-run=S:raw|raw-own|signed|unsigned\n");
    return;
  }
  auto label = "group S=" + std::to_string(subscribers) + " N=" + std::to_string(s.n) +
               " " + variant;
  row_ours(label + " delivered", "msg/s", r.rate);
  row_ours(label + " latency p99", "ms", r.p99 / 1000);
}

void group_case(const bench_settings& s) {
  if (!s.group_run.empty())
    return group_single_run(s);
  // Scaled down per S so that the full table stays within a few minutes on
  // a 2-core box: N for S = 1, N/2 for S = 4, N/4 for S = 16.
  for (auto [subscribers, divisor] : {std::pair<size_t, size_t>{1, 1}, {4, 2}, {16, 4}}) {
    auto n = std::max<size_t>(s.n / divisor, 10);
    auto group = "bench" + std::to_string(getpid()) + "s" + std::to_string(subscribers);
    std::vector<result> raw;
    std::vector<result> raw_own;
    std::vector<result> ours;
    std::vector<result> unsigned_ours;
    for (size_t i = 0; i < s.repeat; ++i) {
      raw.push_back(run_raw(s, subscribers, n, group, false));
      raw_own.push_back(run_raw(s, subscribers, n, group, true));
      ours.push_back(run_ours(s, subscribers, n, group, true));
      unsigned_ours.push_back(run_ours(s, subscribers, n, group, false));
    }
    auto label = "group S=" + std::to_string(subscribers) + " N=" + std::to_string(n);
    auto compare = [&](const std::string& name, const std::vector<result>& mine,
                       const std::vector<result>& theirs) {
      row(label + " " + name + "delivered", "msg/s", median_of(mine, &result::rate),
          median_of(theirs, &result::rate));
      row(label + " " + name + "latency p99", "ms", median_of(mine, &result::p99) / 1000,
          median_of(theirs, &result::p99) / 1000);
    };
    compare("", ours, raw);
    row(label + " latency p50", "ms", median_of(ours, &result::p50) / 1000,
        median_of(raw, &result::p50) / 1000);
    // The sender's own subscription queue in raw too (ours has it).
    compare("vs raw+own queue: ", ours, raw_own);
    // The actors alone: ours with nothing signed or verified (raw signs
    // nothing either).
    compare("unsigned vs raw+own queue: ", unsigned_ours, raw_own);
  }
}

} // namespace chat::bench
