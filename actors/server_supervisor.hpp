#pragma once

// Root of the server node: Redis and RabbitMQ service actors, the topology
// actor and the LAN locator, each restarted with backoff when it fails.
// Prints one "ready" line once everything serves.

#include "adapters/amqp_connection.hpp"
#include "adapters/redis_client.hpp"

#include <caf/fwd.hpp>

#include <string>

namespace chat {

struct server_settings {
  redis_settings redis;
  amqp_settings amqp;
  uint16_t locator_port = 37020;
  bool managed = true;
  std::string state_dir;
};

/// Reads the `chat.*` options the server node uses.
server_settings read_server_settings(const caf::actor_system_config& cfg);

/// Spawns the supervisor; it ends (with an error) only if a child keeps
/// failing.
caf::actor spawn_server_supervisor(caf::actor_system& sys, server_settings settings);

} // namespace chat
