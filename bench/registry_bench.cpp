// Registry: lookups/s and lease-refresh cost, registry actor vs raw hiredis
// on the same connection settings and server.

#include "actors/client/registry_actor.hpp"
#include "bench/bench_util.hpp"
#include "bench/cases.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

namespace chat::bench {

void registry_case(const bench_settings& s) {
  redis_settings redis;
  redis.host = "127.0.0.1";
  redis.port = s.redis_port;
  redis.password = s.redis_password;
  auto n = s.n;
  // Raw: one hiredis connection, blocking HGETALL round trips.
  redis_client raw{redis};
  raw.command({"HSET", "bench-target", "ip_address", "127.0.0.1", "port", "1"});
  auto start = clock::now();
  for (size_t i = 0; i < n; ++i)
    raw.command({"HGETALL", "bench-target"});
  double raw_rate = static_cast<double>(n) / seconds_since(start);
  // Ours: lookups through the registry actor, one request at a time from
  // another actor (the CLI's access pattern).
  caf::actor_system_config cfg;
  configure(s, cfg);
  caf::actor_system sys{cfg};
  {
    auto registry = spawn_registry(sys, redis, std::chrono::seconds{15});
    caf::scoped_actor self{sys};
    start = clock::now();
    for (size_t i = 0; i < n; ++i)
      self->request(registry, caf::infinite, lookup_atom::value,
                    std::string{"bench-target"})
          .receive([](const endpoint&) {}, [](caf::error&) {});
    double ours_rate = static_cast<double>(n) / seconds_since(start);
    row("registry lookup, sequential", "ops/s", ours_rate, raw_rate);
    // Pipelined: many lookups in flight (e.g. several peer actors at once).
    start = clock::now();
    for (size_t i = 0; i < n; ++i)
      self->send(registry, lookup_atom::value, std::string{"bench-target"});
    for (size_t i = 0; i < n; ++i)
      self->receive([](const endpoint&) {}, [](caf::error&) {});
    row("registry lookup, pipelined", "ops/s",
        static_cast<double>(n) / seconds_since(start), raw_rate);
    // Lease refresh: one EVAL of the refresh script per TTL/3; raw PEXPIRE.
    self->request(registry, caf::infinite, register_atom::value,
                  std::string{"benchlease"}, endpoint{"127.0.0.1", 1})
        .receive([](const endpoint&) {}, [](caf::error&) {});
    start = clock::now();
    for (size_t i = 0; i < n; ++i)
      self->send(registry, refresh_atom::value);
    // A lookup queues behind the refreshes: its answer means all are done.
    self->request(registry, caf::infinite, lookup_atom::value, std::string{"benchlease"})
        .receive([](const endpoint&) {}, [](caf::error&) {});
    double ours_us = seconds_since(start) * 1e6 / static_cast<double>(n);
    start = clock::now();
    for (size_t i = 0; i < n; ++i)
      raw.command({"PEXPIRE", "benchlease", "15000"});
    double raw_us = seconds_since(start) * 1e6 / static_cast<double>(n);
    row("lease refresh (EVALSHA script vs PEXPIRE)", "us/op", ours_us, raw_us);
    self->send_exit(registry, caf::exit_reason::user_shutdown);
  }
  raw.command({"DEL", "bench-target"});
}

} // namespace chat::bench
