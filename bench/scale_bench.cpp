// Scale: one process hosting U simulated users, each with its registry
// lease actor (registered name), a broker_link (group actor joined to one
// shared group, discovery and insult actors, subscription book). Users are
// added in steps (U = 100, 500, 1000, capped by --max-users) and after each
// step we measure:
//   - memory per user: RSS delta since before the first user / U,
//   - Redis load from lease refreshes: INFO total_commands_processed delta
//     over a fixed window, per second (nothing else talks to Redis then),
//   - the registry's list of who is online (online_atom, one Lua script):
//     median time of a request to the asker's registry actor,
//   - a discovery round as a client runs it: an asking user
//     (registry + broker_link) opens discovery and we time until a report
//     lists all U users (median of 3 rounds). The raw column is AMQP-only
//     discovery done with bare rabbitmq-c: a fanout request to U queues
//     and U answers, all U answering queues on one raw connection (so no
//     client scheduling at all: a lower bound for AMQP-only discovery),
//   - the AMQP-only round of our own users (discovery without the
//     registry's list): a bare asker publishes a request and times all U answers.
// The Redis row's raw column shows what the design predicts (U × 8
// commands per TTL/3 from the clients, U × 1.02 per topology_interval from
// the server node), else "-".

#include "actors/client/broker_link_actor.hpp"
#include "actors/client/discovery_actor.hpp"
#include "actors/client/registry_actor.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "bench/bench_util.hpp"
#include "bench/cases.hpp"
#include "bench/raw_amqp.hpp"
#include "config/defaults.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace chat::bench {

namespace {

constexpr auto lease_ttl = std::chrono::seconds{15};

/// A field of /proc/self/status (kB for VmRSS), 0 if missing.
long proc_status(const std::string& field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field + ":"))
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  return 0;
}

long open_fds() {
  long count = 0;
  if (auto* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr)
      ++count;
    closedir(dir);
  }
  return count - 2;
}

int64_t commands_processed(redis_client& redis) {
  auto reply = redis.command({"INFO", "stats"});
  if (!reply)
    return 0;
  auto pos = reply->str.find("total_commands_processed:");
  if (pos == std::string::npos)
    return 0;
  return std::strtoll(reply->str.c_str() + pos + 25, nullptr, 10);
}

struct user {
  registry_actor registry;
  broker_link_actor link;
};

/// One discovery round as a discovery actor runs it: publish the request
/// with a round id, count answers with that id on our response queue.
/// Returns milliseconds until `expected` answers arrived (or the limit).
double discovery_round(amqp_connection_state_t conn, const std::string& exchange,
                       const std::string& asker, int round, size_t expected,
                       size_t& got) {
  auto id = std::to_string(round);
  amqp_table_entry_t header;
  header.key = amqp_cstring_bytes(round_header);
  header.value.kind = AMQP_FIELD_KIND_UTF8;
  header.value.value.bytes = raw_bytes(id);
  amqp_basic_properties_t props;
  props._flags = AMQP_BASIC_HEADERS_FLAG;
  props.headers = amqp_table_t{1, &header};
  auto start = clock::now();
  amqp_basic_publish(conn, 1, raw_bytes(exchange), amqp_empty_bytes, 0, 0, &props,
                     raw_bytes(asker));
  got = 0;
  // When each answer came: where a slow round spends its time.
  std::vector<double> arrivals;
  while (got < expected && clock::now() - start < std::chrono::seconds{30}) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(conn);
    timeval tv{0, 200000};
    auto res = amqp_consume_message(conn, &env, &tv, 0);
    if (res.reply_type != AMQP_RESPONSE_NORMAL)
      continue;
    auto& p = env.message.properties;
    if (p._flags & AMQP_BASIC_HEADERS_FLAG)
      for (int i = 0; i < p.headers.num_entries; ++i) {
        auto& e = p.headers.entries[i];
        std::string key{static_cast<char*>(e.key.bytes), e.key.len};
        if (key == round_header && e.value.kind == AMQP_FIELD_KIND_UTF8 &&
            std::string{static_cast<char*>(e.value.value.bytes.bytes),
                        e.value.value.bytes.len} == id) {
          ++got;
          arrivals.push_back(seconds_since(start) * 1000);
        }
      }
    amqp_destroy_envelope(&env);
  }
  if (!arrivals.empty())
    std::fprintf(stderr,
                 "discovery round %d (%s): answers at %.1f (first) / %.1f (half) / "
                 "%.1f (last) ms\n",
                 round, exchange.c_str(), arrivals.front(), arrivals[arrivals.size() / 2],
                 arrivals.back());
  return seconds_since(start) * 1000;
}

/// The raw baseline's answerers: one rabbitmq-c connection holding `count`
/// exclusive queues bound to `exchange` (fanout); each request is answered
/// per queue as a client would, to `discovery_responses` with the round.
class raw_answerers {
public:
  raw_answerers(uint16_t port, std::string exchange, std::string tag, size_t count)
      : thread_([=, this] { run(port, exchange, tag, count); }) {
    while (!ready_ && !failed_)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }

  ~raw_answerers() {
    stop_ = true;
    thread_.join();
  }

  bool ok() const { return ready_ && !failed_; }

private:
  void run(uint16_t port, const std::string& exchange, const std::string& tag,
           size_t count) {
    amqp_connection_state_t conn = nullptr;
    try {
      conn = raw_amqp_open(port, 0);
      amqp_exchange_declare(conn, 1, raw_bytes(exchange), amqp_cstring_bytes("fanout"), 0,
                            0, 1, 0, amqp_empty_table);
      raw_check(amqp_get_rpc_reply(conn), "exchange.declare");
      for (size_t i = 0; i < count; ++i) {
        auto queue = "r" + tag + "u" + std::to_string(i);
        amqp_queue_declare(conn, 1, raw_bytes(queue), 0, 0, 1, 1, amqp_empty_table);
        raw_check(amqp_get_rpc_reply(conn), "queue.declare");
        amqp_queue_bind(conn, 1, raw_bytes(queue), raw_bytes(exchange), amqp_empty_bytes,
                        amqp_empty_table);
        amqp_basic_consume(conn, 1, raw_bytes(queue), raw_bytes(queue), 0, 1, 0,
                           amqp_empty_table);
        raw_check(amqp_get_rpc_reply(conn), "basic.consume");
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "scale: raw answerers: %s\n", e.what());
      failed_ = true;
      if (conn != nullptr)
        amqp_destroy_connection(conn);
      return;
    }
    ready_ = true;
    while (!stop_) {
      amqp_envelope_t env;
      amqp_maybe_release_buffers(conn);
      timeval tv{0, 100000};
      auto res = amqp_consume_message(conn, &env, &tv, 0);
      if (res.reply_type != AMQP_RESPONSE_NORMAL)
        continue;
      // The answer: body = the answering queue's name (the consumer tag),
      // routed to the asker, the request's headers (its round) copied.
      auto& p = env.message.properties;
      amqp_basic_properties_t props;
      props._flags = 0;
      if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
        props._flags = AMQP_BASIC_HEADERS_FLAG;
        props.headers = p.headers;
      }
      amqp_basic_publish(conn, 1, amqp_cstring_bytes("discovery_responses"),
                         env.message.body, 0, 0, &props, env.consumer_tag);
      amqp_destroy_envelope(&env);
    }
    raw_amqp_close(conn);
  }

  std::atomic<bool> ready_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// One discovery round as a client sees it: opens discovery on `link` and
/// returns ms until a report lists every name starting with `prefix`
/// (`expected` of them), or -1 after 10 s.
double report_round(caf::scoped_actor& self, const broker_link_actor& link,
                    const std::string& prefix, size_t expected, size_t& listed) {
  auto start = clock::now();
  self->send(link, discover_atom::value, true);
  double result = -1;
  bool waiting = true;
  listed = 0;
  self->receive_while([&] { return waiting; })(
      [&](report_atom, const discovery_report& report) {
        listed = static_cast<size_t>(std::count_if(
            report.live.begin(), report.live.end(),
            [&](const peer_info& p) { return p.name.starts_with(prefix); }));
        if (listed >= expected) {
          result = seconds_since(start) * 1000;
          waiting = false;
        }
      },
      caf::after(std::chrono::seconds{10}) >> [&] { waiting = false; });
  self->send(link, discover_atom::value, false);
  return result;
}

/// Median ms of `n` online_atom requests to `registry`; `count`: users listed.
double online_time(caf::scoped_actor& self, const registry_actor& registry, int n,
                   size_t& count) {
  std::vector<double> times;
  for (int i = 0; i < n; ++i) {
    auto start = clock::now();
    self->request(registry, std::chrono::seconds{10}, online_atom::value)
        .receive(
            [&](const std::vector<peer_info>& users) {
              times.push_back(seconds_since(start) * 1000);
              count = users.size();
            },
            [&](caf::error&) { count = 0; });
  }
  return percentile(times, 50);
}

} // namespace

void scale_case(const bench_settings& s) {
  // Small runs (bench.smoke) use U = 5 and a short window.
  std::vector<size_t> steps;
  for (size_t u : {size_t{5}, size_t{100}, size_t{500}, size_t{1000}})
    if (u <= s.max_users && (u != 5 || s.max_users < 100))
      steps.push_back(u);
  auto window = s.n >= 1000 ? std::chrono::seconds{10} : std::chrono::seconds{1};
  redis_settings redis;
  redis.host = "127.0.0.1";
  redis.port = s.redis_port;
  redis.password = s.redis_password;
  broker_link_settings bs;
  bs.amqp.host = "127.0.0.1";
  bs.amqp.port = s.amqp_port;
  bs.amqp.user = s.amqp_user;
  bs.amqp.password = s.amqp_password;
  // docs/scaling.md: the server's side of each step is sampled by a hook
  // (scripts/cluster-capacity), with queues as a cluster declares them.
  bs.amqp.quorum_queues = std::getenv("CHAT_BENCH_QUORUM") != nullptr;
  auto hook = [](size_t users) {
    if (auto cmd = std::getenv("CHAT_BENCH_SCALE_HOOK"); cmd && *cmd)
      if (std::system(("U=" + std::to_string(users) + " " + cmd).c_str()) != 0)
        std::fprintf(stderr, "scale: the step hook failed\n");
  };
  hook(0);
  bs.queue_expiry = std::chrono::seconds{60};
  bs.discovery_interval = std::chrono::seconds{3};
  auto tag = std::to_string(getpid());
  auto group = "scale" + tag;
  redis_client stats{redis};
  // The asker: a bare AMQP client with its discovery response queue.
  auto asker = "sa" + tag;
  // No heartbeats: it idles while hundreds of users are set up (with them
  // the broker closed it after 2 missed beats and U=1000 saw no answers).
  auto conn = raw_amqp_open(s.amqp_port, 0);
  auto responses = asker + ":discovery_responses";
  amqp_exchange_declare(conn, 1, amqp_cstring_bytes("discovery_requests"),
                        amqp_cstring_bytes("fanout"), 0, 0, 0, 0, amqp_empty_table);
  amqp_exchange_declare(conn, 1, amqp_cstring_bytes("discovery_responses"),
                        amqp_cstring_bytes("direct"), 0, 0, 0, 0, amqp_empty_table);
  amqp_queue_declare(conn, 1, raw_bytes(responses), 0, 0, 1, 1, amqp_empty_table);
  raw_check(amqp_get_rpc_reply(conn), "queue.declare");
  amqp_queue_bind(conn, 1, raw_bytes(responses),
                  amqp_cstring_bytes("discovery_responses"), raw_bytes(asker),
                  amqp_empty_table);
  amqp_basic_consume(conn, 1, raw_bytes(responses), amqp_empty_bytes, 0, 1, 0,
                     amqp_empty_table);
  raw_check(amqp_get_rpc_reply(conn), "basic.consume");
  caf::actor_system_config cfg;
  configure(s, cfg);
  caf::actor_system sys{cfg};
  std::vector<user> users;
  {
    caf::scoped_actor self{sys};
    auto listener = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
      return {
          [](event_atom, const chat_event&) {},
          [](event_atom, const std::string&) {},
          [](report_atom, const discovery_report&) {},
      };
    });
    // The asking user: reports come to us.
    auto to_us = sys.spawn([dest = caf::actor_cast<caf::actor>(self)](
                               caf::event_based_actor*) -> caf::behavior {
      return {
          [](event_atom, const chat_event&) {},
          [](event_atom, const std::string&) {},
          [dest](report_atom, const discovery_report& r) {
            caf::anon_send(dest, report_atom::value, r);
          },
      };
    });
    user watcher;
    watcher.registry = spawn_registry(sys, redis, lease_ttl, to_us);
    watcher.link =
        spawn_broker_link(sys, "sw" + tag, bs, "127.0.0.1:1", to_us, watcher.registry);
    self->request(watcher.registry, std::chrono::seconds{10}, register_atom::value,
                  "sw" + tag, endpoint{"127.0.0.1", 1})
        .receive([](const endpoint&) {},
                 [](caf::error& e) {
                   std::fprintf(stderr, "scale: the asking user: %s\n",
                                caf::to_string(e).c_str());
                 });
    auto user_prefix = "s" + tag + "u";
    auto rss0 = proc_status("VmRSS");
    int round = 0;
    for (auto target : steps) {
      auto step_start = clock::now();
      size_t failures = 0;
      // Add users in batches so connection set-up does not time out.
      while (users.size() < target) {
        auto batch = std::min<size_t>(50, target - users.size());
        size_t first = users.size();
        for (size_t i = 0; i < batch; ++i) {
          auto name = "s" + tag + "u" + std::to_string(users.size());
          user u;
          u.registry = spawn_registry(sys, redis, lease_ttl, listener);
          u.link = spawn_broker_link(sys, name, bs, "127.0.0.1:1", listener, u.registry);
          self->send(u.registry, register_atom::value, name, endpoint{"127.0.0.1", 1});
          self->send(u.link, join_atom::value, group, false);
          users.push_back(u);
        }
        for (size_t i = 0; i < 2 * batch; ++i)
          self->receive([](const endpoint&) {}, [](ok_atom) {},
                        [&](caf::error&) { ++failures; },
                        caf::after(std::chrono::seconds{60}) >> [&] { ++failures; });
        (void)first;
      }
      auto setup_s = seconds_since(step_start);
      // Let start-up traffic settle, then a fixed window of refreshes only.
      std::this_thread::sleep_for(std::chrono::seconds{1});
      auto c0 = commands_processed(stats);
      auto w0 = clock::now();
      std::this_thread::sleep_for(window);
      auto c1 = commands_processed(stats);
      auto redis_rate = static_cast<double>(c1 - c0 - 1) / seconds_since(w0);
      // Every TTL/3 per user: the registry's EVALSHA (Redis also counts the
      // script's TIME, HGET, PEXPIRE, ZADD and ZREMRANGEBYSCORE) and the
      // subscription book's SADD+PEXPIRE: 8. Plus the server node's topology actor,
      // every topology_interval: one SMEMBERS per user and a SCAN page per
      // 100 keys (about 2 keys per user: hash and subscription record).
      auto period = std::chrono::duration<double>(lease_ttl / 3).count();
      auto topology = std::chrono::duration<double>(defaults::topology_interval).count();
      auto users_d = static_cast<double>(target);
      auto predicted = users_d * 8.0 / period + (users_d + users_d * 2 / 100) / topology;
      auto rss = proc_status("VmRSS");
      auto per_user_kb = static_cast<double>(rss - rss0) / static_cast<double>(target);
      size_t online_count = 0;
      auto online_ms = online_time(self, watcher.registry, 11, online_count);
      // Rounds as a client runs them: registry + AMQP, report lists all U.
      std::vector<double> reports;
      size_t listed = 0;
      for (int i = 0; i < 3; ++i) {
        reports.push_back(report_round(self, watcher.link, user_prefix, target, listed));
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
      }
      // The raw baseline: bare fanout request, U bare answers.
      std::vector<double> raw_rounds;
      size_t raw_answers = 0;
      {
        raw_answerers answerers{s.amqp_port, "bench.discovery." + tag, tag, target};
        if (answerers.ok())
          for (int i = 0; i < 3; ++i)
            raw_rounds.push_back(discovery_round(conn, "bench.discovery." + tag, asker,
                                                 ++round, target, raw_answers));
      }
      // The AMQP-only round of our own users (no registry list).
      std::vector<double> rounds;
      size_t answers = 0;
      for (int i = 0; i < 3; ++i)
        rounds.push_back(
            discovery_round(conn, "discovery_requests", asker, ++round, target, answers));
      auto label = "scale U=" + std::to_string(target);
      row_ours(label + " memory per user (RSS delta/U)", "KiB", per_user_kb);
      row(label + " Redis commands/s (lease refresh)", "cmd/s", redis_rate, predicted);
      row_ours(label + " registry online (one Lua script)", "ms", online_ms);
      row(label + " discovery: report lists all U", "ms", percentile(reports, 50),
          percentile(raw_rounds, 50));
      row_ours(label + " discovery AMQP only, all answers", "ms", percentile(rounds, 50));
      std::fprintf(stderr,
                   "scale U=%zu: set-up %.1f s, %zu failed, threads %ld, fds %ld, "
                   "RSS %ld MiB; online lists %zu; reports (ms) %.1f / %.1f / %.1f, "
                   "last listed %zu/%zu; raw last round %zu/%zu; AMQP-only last round "
                   "%zu/%zu answers\n",
                   target, setup_s, failures, proc_status("Threads"), open_fds(),
                   rss / 1024, online_count, reports[0], reports[1], reports[2], listed,
                   target, raw_answers, target, answers, target);
      hook(target);
    }
    auto stop_start = clock::now();
    users.push_back(watcher);
    for (auto& u : users) {
      self->send_exit(u.link, caf::exit_reason::user_shutdown);
      self->send_exit(u.registry, caf::exit_reason::user_shutdown);
    }
    for (auto& u : users) {
      self->wait_for(u.link);
      self->wait_for(u.registry);
    }
    self->send_exit(listener, caf::exit_reason::user_shutdown);
    self->send_exit(to_us, caf::exit_reason::user_shutdown);
    std::fprintf(stderr, "scale: %zu users stopped in %.1f s\n", users.size(),
                 seconds_since(stop_start));
  }
  raw_amqp_close(conn);
}

} // namespace chat::bench
