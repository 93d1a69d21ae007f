#pragma once

// Root of the server node: Redis and RabbitMQ service actors, the topology
// actor and the LAN locator, each restarted with backoff when it fails.
// Prints one "ready" line once everything serves.

#include "adapters/common/amqp_connection.hpp"
#include "adapters/common/redis_client.hpp"
#include "adapters/server/managed_services.hpp"

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
  /// `chat.allow-original-clients`: the open mode for original clients.
  bool open = false;
  uint16_t amqp_tls_port = 5671;
  uint16_t redis_tls_port = 6380;
  /// Secure mode: set by `secure_server_settings`.
  std::optional<service_security> security;
  /// `chat.cluster-secret`, `chat.join`, `chat.node-address`: a cluster
  /// node (docs/cluster.md) when the secret is set.
  std::string cluster_secret;
  std::string join;
  std::string node_address;
  uint16_t sentinel_port = 26379;
  uint16_t sentinel_tls_port = 26380;
  /// Bounds on what members may use of the managed services.
  service_limits limits;
  /// `chat.service-restart-max-delay`: restarts of a managed service that
  /// keeps failing (never given up).
  backoff_policy service_restarts = defaults::service_restarts;

  bool clustered() const { return !cluster_secret.empty(); }
};

/// Reads the `chat.*` options the server node uses.
server_settings read_server_settings(const caf::actor_system_config& cfg);

/// Secure mode: loads (or creates, first start) the secrets of the state dir
/// and makes the server node's own connections use them (loopback).
caf::error secure_server_settings(server_settings& s);

/// A cluster node: finds its address, asks `join` (or the members it knew)
/// for the cluster's secrets and master, installs them and fills
/// `s.security->cluster`. Call before `secure_server_settings`... see
/// server_main: errors are one line (wrong secret, nobody answers).
caf::error prepare_cluster_node(server_settings& s);

/// The join code clients need for `s` (secure mode).
join_code server_join_code(const server_settings& s);

/// Spawns the supervisor; it ends (with an error) only if a child keeps
/// failing.
caf::actor spawn_server_supervisor(caf::actor_system& sys, server_settings settings);

} // namespace chat
