#pragma once

// Root of the server node: Redis and RabbitMQ service actors, the topology
// actor and the LAN locator, each restarted with backoff when it fails.
// Prints one "ready" line once everything serves.

#include "adapters/amqp_connection.hpp"
#include "adapters/managed_services.hpp"
#include "adapters/redis_client.hpp"

#include <caf/fwd.hpp>

#include <optional>
#include <string>

namespace chat {

struct server_settings {
  redis_settings redis;
  amqp_settings amqp;
  uint16_t locator_port = 37020;
  bool managed = true;
  std::string state_dir;
  /// `chat.allow-original-clients`: today's open mode.
  bool open = false;
  uint16_t amqp_tls_port = 5671;
  uint16_t redis_tls_port = 6380;
  /// Secure mode: set by `secure_server_settings`.
  std::optional<service_security> security;
};

/// Reads the `chat.*` options the server node uses.
server_settings read_server_settings(const caf::actor_system_config& cfg);

/// Secure mode: loads (or creates, first start) the secrets of the state dir
/// and makes the server node's own connections use them (loopback).
caf::error secure_server_settings(server_settings& s);

/// The join code clients need for `s` (secure mode).
join_code server_join_code(const server_settings& s);

/// Spawns the supervisor; it ends (with an error) only if a child keeps
/// failing.
caf::actor spawn_server_supervisor(caf::actor_system& sys, server_settings settings);

} // namespace chat
