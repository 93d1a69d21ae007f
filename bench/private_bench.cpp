// Private chats: two private-chat managers in one process (each with its
// registry actor and gRPC service on loopback) vs raw gRPC unary calls of
// private_chat.PrivateChatService/AddMessage (generated stub, same 128-byte
// text) to a bare callback service, over TLS with the same credentials as
// ours (like for like) and over plaintext (the baseline the goals are set
// against: what a private message costs without TLS).
//
// Ours runs as clients do: TLS between the peers (handed to gRPC's
// external connection intake), every text sealed with the key the two sessions share, up
// to 32 messages in flight per peer on one ordered stream, and the sender an event-based
// actor like the CLI actor. Raw unary calls keep their order only one at a time, so the
// burst is compared with raw sequential calls, and also with `concurrency` unordered
// calls in flight for reference.

#include "actors/client/private_chat_actor.hpp"
#include "adapters/client/private_chat_grpc.hpp"
#include "adapters/client/private_chat_tls.hpp"
#include "bench/bench_util.hpp"
#include "bench/cases.hpp"

#include "private_chat.grpc.pb.h"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <unistd.h>

namespace chat::bench {

namespace {

constexpr size_t text_size = 128;
constexpr size_t concurrency = 64;
constexpr auto time_limit = std::chrono::seconds{60};

class raw_service final : public private_chat::PrivateChatService::CallbackService {
  grpc::ServerUnaryReactor* AddMessage(grpc::CallbackServerContext* ctx,
                                       const private_chat::Message*,
                                       google::protobuf::Empty*) override {
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

struct numbers {
  double p50_us = 0;
  double p99_us = 0;
  double seq_rate = 0;
  double burst_rate = 0;
  double burst_concurrent_rate = 0;
};

/// Raw calls over TLS (each side showing a certificate, the server's
/// pinned, as between our peers) or over plaintext.
numbers run_raw(size_t n, const std::string& text, bool tls) {
  raw_service svc;
  grpc::ServerBuilder builder;
  int port = 0;
  auto server_id = tls_identity::generate("benchbob");
  auto client_id = tls_identity::generate("benchalice");
  builder.AddListeningPort("127.0.0.1:0",
                           tls ? peer_server_credentials(*server_id)
                               : grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&svc);
  auto server = builder.BuildAndStart();
  auto channel = grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port),
      tls ? peer_channel_credentials(client_id, server_id->fingerprint)
          : grpc::InsecureChannelCredentials());
  auto stub = private_chat::PrivateChatService::NewStub(channel);
  private_chat::Message msg;
  msg.set_sender("benchalice");
  msg.set_receiver("benchbob");
  msg.set_message(text);
  auto call = [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{5});
    google::protobuf::Empty empty;
    return stub->AddMessage(&ctx, msg, &empty).ok();
  };
  for (int i = 0; i < 100; ++i) // warm-up: connection, HTTP/2 window
    call();
  numbers r;
  std::vector<double> lat;
  lat.reserve(n);
  auto start = clock::now();
  for (size_t i = 0; i < n && clock::now() - start < time_limit; ++i) {
    auto t0 = clock::now();
    call();
    lat.push_back(seconds_since(t0) * 1e6);
  }
  r.seq_rate = static_cast<double>(lat.size()) / seconds_since(start);
  r.burst_rate = r.seq_rate; // unary: back-to-back calls keep their order
  r.p50_us = percentile(lat, 50);
  r.p99_us = percentile(lat, 99);
  // `concurrency` calls in flight (callback API).
  std::mutex mtx;
  std::condition_variable cv;
  size_t in_flight = 0;
  size_t done = 0;
  struct raw_call {
    grpc::ClientContext ctx;
    google::protobuf::Empty empty;
  };
  start = clock::now();
  for (size_t i = 0; i < n && clock::now() - start < time_limit; ++i) {
    {
      std::unique_lock<std::mutex> guard{mtx};
      cv.wait(guard, [&] { return in_flight < concurrency; });
      ++in_flight;
    }
    auto c = std::make_shared<raw_call>();
    c->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{5});
    stub->async()->AddMessage(&c->ctx, &msg, &c->empty, [&, c](grpc::Status) {
      std::lock_guard<std::mutex> guard{mtx};
      --in_flight;
      ++done;
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> guard{mtx};
    cv.wait(guard, [&] { return in_flight == 0; });
  }
  r.burst_concurrent_rate = static_cast<double>(done) / seconds_since(start);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{1});
  server->Wait();
  return r;
}

struct client {
  registry_actor registry;
  private_chat_actor manager;
  caf::actor listener;
};

/// What a sender actor measured.
struct sent_report {
  std::vector<double> latencies; // µs, one-by-one mode only
  size_t answered = 0;
  double seconds = 0;
};

struct sender_state {
  private_chat_actor manager;
  std::string peer;
  std::string text;
  size_t count = 0;
  clock::time_point start;
  sent_report report;
  /// Set once, when all are answered (or time is up).
  std::promise<sent_report>* done = nullptr;
};

using sender_actor = caf::stateful_actor<sender_state>;

/// Reports and ends once all are answered or time is up; true then.
bool finish_if_done(sender_actor* self) {
  auto& st = self->state;
  if (st.report.answered < st.count && clock::now() - st.start < time_limit)
    return false;
  st.report.seconds = seconds_since(st.start);
  st.done->set_value(std::move(st.report));
  self->quit();
  return true;
}

/// Sends the next text once the previous one is answered.
void send_next(sender_actor* self) {
  auto& st = self->state;
  auto t0 = clock::now();
  auto answered = [self, t0] {
    auto& st = self->state;
    st.report.latencies.push_back(seconds_since(t0) * 1e6);
    ++st.report.answered;
    if (!finish_if_done(self))
      send_next(self);
  };
  // Without a timeout, as the CLI actor asks (the peer actor's deadline
  // ends a send that takes too long).
  self->request(st.manager, caf::infinite, send_atom::value, st.peer, st.text)
      .then([answered](ok_atom) { answered(); }, [answered](caf::error&) { answered(); });
}

/// Sends `count` texts to `peer` from an event-based actor, as the client's
/// CLI actor does (so the hops are the client's, on the same scheduler):
/// one by one (each after the previous answer), or all at once (`burst`).
sent_report run_sender(caf::actor_system& sys, private_chat_actor manager,
                       const std::string& peer, const std::string& text, size_t count,
                       bool burst) {
  std::promise<sent_report> done;
  auto result = done.get_future();
  sys.spawn([=, &done](sender_actor* self) {
    auto& st = self->state;
    st.manager = manager;
    st.peer = peer;
    st.text = text;
    st.count = count;
    st.report.latencies.reserve(count);
    st.done = &done;
    st.start = clock::now();
    if (!burst) {
      send_next(self);
      return;
    }
    for (size_t i = 0; i < count; ++i)
      self->request(manager, time_limit, send_atom::value, peer, text)
          .then(
              [self](ok_atom) {
                ++self->state.report.answered;
                finish_if_done(self);
              },
              [self](caf::error&) {
                ++self->state.report.answered;
                finish_if_done(self);
              });
  });
  return result.get();
}

numbers run_ours(const bench_settings& s, size_t n, const std::string& text) {
  caf::actor_system_config cfg;
  configure(s, cfg);
  caf::actor_system sys{cfg};
  numbers r;
  redis_settings redis;
  redis.host = "127.0.0.1";
  redis.port = s.redis_port;
  redis.password = s.redis_password;
  auto tag = std::to_string(getpid());
  std::string names[2] = {"pa" + tag, "pb" + tag};
  std::vector<client> clients;
  {
    caf::scoped_actor self{sys};
    for (auto& name : names) {
      client c;
      c.listener = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
        return {[](event_atom, const chat_event&) {}};
      });
      c.registry = spawn_registry(sys, redis, std::chrono::seconds{15});
      private_chat_settings settings;
      settings.host = "127.0.0.1";
      settings.port = 0;
      auto chats = spawn_private_chats(sys, settings, c.registry, c.listener);
      if (!chats) {
        std::fprintf(stderr, "private: cannot start a manager\n");
        return r;
      }
      c.manager = chats->manager;
      self->request(c.manager, std::chrono::seconds{10}, register_atom::value, name)
          .receive(
              [](const endpoint&) {},
              [](caf::error&) { std::fprintf(stderr, "private: register failed\n"); });
      clients.push_back(c);
    }
    auto& alice = clients[0];
    auto one_by_one = [&](size_t count) {
      return run_sender(sys, alice.manager, names[1], text, count, false);
    };
    one_by_one(100); // warm-up: lookup, channel, key exchange
    auto seq = one_by_one(n);
    r.seq_rate = static_cast<double>(seq.latencies.size()) / seq.seconds;
    r.p50_us = percentile(seq.latencies, 50);
    r.p99_us = percentile(seq.latencies, 99);
    // Burst: everything sent at once; the peer actor queues and sends in
    // order, a window of them in flight on the stream.
    auto burst = run_sender(sys, alice.manager, names[1], text, n, true);
    r.burst_rate = static_cast<double>(burst.answered) / burst.seconds;
    for (auto& c : clients)
      for (auto hdl : {caf::actor_cast<caf::actor>(c.manager),
                       caf::actor_cast<caf::actor>(c.registry), c.listener}) {
        self->send_exit(hdl, caf::exit_reason::user_shutdown);
        self->wait_for(hdl);
      }
  }
  return r;
}

} // namespace

/// One run of one side (`--private-run=ours|tls|plain`), e.g. under `perf`.
void private_single_run(const bench_settings& s) {
  std::string text(text_size, 'x');
  numbers r;
  if (s.private_run == "ours")
    r = run_ours(s, s.n, text);
  else if (s.private_run == "tls" || s.private_run == "plain")
    r = run_raw(s.n, text, s.private_run == "tls");
  else {
    std::fprintf(stderr, "--private-run=ours|tls|plain\n");
    return;
  }
  auto label = "private N=" + std::to_string(s.n) + " " + s.private_run;
  row_ours(label + " round trip p50", "us", r.p50_us);
  row_ours(label + " burst", "msg/s", r.burst_rate);
}

void private_case(const bench_settings& s) {
  if (!s.private_run.empty())
    return private_single_run(s);
  std::string text(text_size, 'x');
  auto n = s.n / 4 > 10 ? s.n / 4 : s.n;
  std::vector<numbers> plain;
  std::vector<numbers> tls;
  std::vector<numbers> ours;
  for (size_t i = 0; i < s.repeat; ++i) {
    plain.push_back(run_raw(n, text, false));
    tls.push_back(run_raw(n, text, true));
    ours.push_back(run_ours(s, n, text));
  }
  auto label = "private N=" + std::to_string(n);
  auto vs = [&](const std::string& name, const char* unit, const std::vector<numbers>& a,
                double numbers::*fa, const std::vector<numbers>& b, double numbers::*fb) {
    row(label + " " + name, unit, median_of(a, fa), median_of(b, fb));
  };
  // Like for like: raw gRPC over TLS with the same credentials.
  vs("round trip p50 vs raw TLS", "us", ours, &numbers::p50_us, tls, &numbers::p50_us);
  vs("round trip p99 vs raw TLS", "us", ours, &numbers::p99_us, tls, &numbers::p99_us);
  vs("sequential vs raw TLS", "msg/s", ours, &numbers::seq_rate, tls, &numbers::seq_rate);
  vs("burst vs raw TLS sequential", "msg/s", ours, &numbers::burst_rate, tls,
     &numbers::burst_rate);
  vs("burst vs raw TLS 64 in flight", "msg/s", ours, &numbers::burst_rate, tls,
     &numbers::burst_concurrent_rate);
  // The plaintext baseline, and what TLS alone costs.
  vs("round trip p50 vs raw plaintext", "us", ours, &numbers::p50_us, plain,
     &numbers::p50_us);
  vs("round trip p99 vs raw plaintext", "us", ours, &numbers::p99_us, plain,
     &numbers::p99_us);
  vs("burst vs raw plaintext sequential", "msg/s", ours, &numbers::burst_rate, plain,
     &numbers::burst_rate);
  vs("raw TLS p50 vs raw plaintext", "us", tls, &numbers::p50_us, plain,
     &numbers::p50_us);
}

} // namespace chat::bench
