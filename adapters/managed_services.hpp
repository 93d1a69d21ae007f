#pragma once

// How the server node probes and starts redis-server and rabbitmq-server.

#include "actors/service_actor.hpp"
#include "adapters/amqp_connection.hpp"
#include "adapters/redis_client.hpp"

#include <string>

namespace chat {

/// redis-server on all interfaces, data under `state_dir`/redis, no disk
/// persistence (clients re-register after a restart).
service_spec redis_service(const redis_settings& settings, const std::string& state_dir,
                           bool managed);

/// A private rabbitmq-server node (own epmd, own ports) whose data lives
/// under `state_dir`/rabbitmq; the configured user may log in from the LAN.
service_spec rabbitmq_service(const amqp_settings& settings, const std::string& state_dir,
                              bool managed);

/// $XDG_STATE_HOME/chat-actors or ~/.local/state/chat-actors.
std::string default_state_dir();

/// A TCP port that was free a moment ago.
uint16_t free_tcp_port();

} // namespace chat
