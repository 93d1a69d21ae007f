#pragma once

// How the server node probes and starts redis-server and rabbitmq-server.

#include "adapters/common/amqp_connection.hpp"
#include "adapters/common/redis_client.hpp"
#include "adapters/server/broker_permissions.hpp"
#include "adapters/server/cluster_node.hpp"
#include "adapters/server/server_secrets.hpp"
#include "adapters/server/service_spec.hpp"
#include "config/defaults.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace chat {

/// Secure mode of the managed services (the default); without it they run
/// in the original open mode (`chat.allow-original-clients`).
struct service_security {
  server_secrets secrets;
  /// AMQP over TLS, on every interface.
  uint16_t amqp_tls_port = 0;
  /// stunnel in front of Redis, on every interface.
  uint16_t redis_tls_port = 0;
  /// A node of a cluster: Redis as master or replica with AOF,
  /// a Sentinel (also behind the TLS front), RabbitMQ with a long node name
  /// and the cluster's cookie.
  std::optional<cluster_node> cluster;
};

/// What the managed services hold every member to (config/defaults.hpp).
struct service_limits {
  /// Redis `maxmemory`.
  int64_t redis_max_memory = defaults::redis_max_memory;
  /// RabbitMQ `max_message_size`.
  int64_t broker_max_message =
      defaults::max_message_bytes + defaults::broker_message_headroom;
  /// Each member's own account.
  broker_user_limits user{defaults::broker_user_connections,
                          defaults::broker_user_channels};
  /// The join code's shared account.
  broker_user_limits member{defaults::broker_member_connections,
                            defaults::broker_user_channels};
  member_queue_policy queues{
      defaults::member_queue_max_bytes,
      // A member's queue unused this long goes (a queue's own shorter
      // x-expires still applies): what waits for a member who is away.
      std::chrono::duration_cast<std::chrono::milliseconds>(defaults::away_keep).count()};
};

/// redis-server from a 0600 config file under `state_dir`/redis-<port>,
/// no disk persistence (the data dir is wiped on every start: clients
/// re-register within a lease), bounded memory. Open mode: every interface,
/// no password (protected mode off) unless one is configured. Secure mode:
/// loopback only, `default` user with the server node's password, members
/// as the ACL user of the join code's password (adapters/server/redis_config.hpp).
/// Its probe also loads the registry functions.
service_spec redis_service(const redis_settings& settings, const std::string& state_dir,
                           bool managed,
                           const std::optional<service_security>& secure = std::nullopt,
                           const service_limits& limits = {});

/// A private rabbitmq-server node (own epmd, own ports) whose data lives
/// under `state_dir`/rabbitmq. Open mode: the configured user may log in
/// from the LAN, plaintext. Secure mode: plaintext on loopback only, TLS on
/// every interface with the server certificate; users, permissions and
/// topic permissions from a definitions file (no guest).
service_spec
rabbitmq_service(const amqp_settings& settings, const std::string& state_dir,
                 bool managed,
                 const std::optional<service_security>& secure = std::nullopt,
                 const service_limits& limits = {});

/// Secure mode: stunnel4 in front of Redis (hiredis 0.14 has no TLS, and
/// Redis' own TLS port would share its `bind` with the plaintext one): TLS
/// on every interface at `redis_tls_port`, forwarded to Redis on loopback.
service_spec redis_tls_service(const redis_settings& settings,
                               const std::string& state_dir,
                               const service_security& secure);

/// A cluster node's redis-server in Sentinel mode, on every interface
/// (the other nodes' Sentinels talk to it), with the cluster's password.
service_spec sentinel_service(const std::string& state_dir, const cluster_node& node);

/// Where `rabbitmq_service` keeps its data and CLI wrappers.
std::string rabbit_dir(const std::string& state_dir, const amqp_settings& settings);

/// A TCP port that was free a moment ago.
uint16_t free_tcp_port();

} // namespace chat
