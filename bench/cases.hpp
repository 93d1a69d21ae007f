#pragma once

#include "config/defaults.hpp"

#include <caf/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace chat::bench {

/// What every case gets: the server node to use and the sizes.
struct bench_settings {
  uint16_t redis_port = 6379;
  uint16_t amqp_port = 5672;
  /// Secure-mode node: from $REDISCLI_AUTH, $CHAT_AMQP_USER and
  /// $CHAT_AMQP_PASSWORD (scripts/test-services exports them).
  std::string redis_password;
  std::string amqp_user = "guest";
  std::string amqp_password = "guest";
  /// Operations per case (messages, lookups, …).
  size_t n = 20000;
  /// Path of the chat-actors binary (start-up case).
  std::string binary;
  /// Largest number of simulated users in the scale case.
  size_t max_users = 1000;
  /// CAF scheduler policy of our side, as chat-actors runs by default
  /// ("stealing" for CAF's own default).
  std::string scheduler{defaults::scheduler_policy};
  /// CAF worker threads of our side, as chat-actors runs by default.
  size_t threads = defaults::scheduler_threads;
  /// Only one side of the group case, "S:variant" (raw, raw-own, signed,
  /// unsigned), N = n: for profiling one side alone.
  std::string group_run;
  /// Only one side of the private case (ours, tls, plain), N = n.
  std::string private_run;
  /// Runs of each side in the group and private cases, alternated; rows
  /// give the median (single runs vary by ±30 % on the 2-core machine).
  size_t repeat = 3;
};

/// Applies the settings that concern our actor system.
void configure(const bench_settings& s, caf::actor_system_config& cfg);

void registry_case(const bench_settings& s);
void startup_case(const bench_settings& s);
void group_case(const bench_settings& s);
void private_case(const bench_settings& s);
void scale_case(const bench_settings& s);
void backlog_case(const bench_settings& s);

} // namespace chat::bench
