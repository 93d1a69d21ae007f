#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace chat::bench {

/// What every case gets: the server node to use and the sizes.
struct bench_settings {
  uint16_t redis_port = 6379;
  uint16_t amqp_port = 5672;
  /// Operations per case (messages, lookups, …).
  size_t n = 20000;
  /// Path of the chat-actors binary (start-up case).
  std::string binary;
  /// Largest number of simulated users in the scale case.
  size_t max_users = 1000;
};

void registry_case(const bench_settings& s);
void startup_case(const bench_settings& s);
void group_case(const bench_settings& s);
void private_case(const bench_settings& s);
void scale_case(const bench_settings& s);

} // namespace chat::bench
