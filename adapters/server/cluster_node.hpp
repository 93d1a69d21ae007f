#pragma once

// What a server node of a cluster knows about itself and how it
// talks to its peers' engines: Redis Sentinel for the name server's master,
// rabbitmqctl for the RabbitMQ cluster. Blocking calls with short timeouts,
// for detached actors and the start-up/shut-down path only.

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chat {

struct cluster_node {
  /// `chat.cluster-secret`.
  std::string secret;
  /// Our LAN address (`chat.node-address`, else detected).
  std::string address;
  /// Every node we know of, ourselves included.
  std::vector<std::string> members;
  /// The Redis master when we started (from the member we joined); empty =
  /// ourselves.
  std::string redis_master;
  /// The member whose RabbitMQ cluster we join; empty = none (first node,
  /// or a node whose RabbitMQ still remembers its cluster).
  std::string rabbit_peer;
  uint16_t sentinel_port = 26379;
  uint16_t sentinel_tls_port = 26380;
  /// Erlang distribution (epmd is on 4369, per host).
  uint16_t dist_port = 25672;
  /// Redis port of every node (the same on all of them).
  uint16_t redis_port = 6379;
  /// The Sentinels' password of the cluster (from the shared secrets; the
  /// join code's, clients ask the Sentinels for the master).
  std::string password;
  /// Redis' `default` user on every node (the servers' own, replication
  /// and Sentinel); members log in as the member ACL user.
  std::string redis_admin_password;

  /// Majority of the known members: the Sentinel quorum.
  int quorum() const { return static_cast<int>(members.size() / 2 + 1); }
};

/// Name of the master set every Sentinel monitors.
inline constexpr const char* sentinel_master_name = "chat";

/// Long Erlang node name of the RabbitMQ node at `address`.
std::string rabbit_node_name(const std::string& address);

/// The address of the first non-loopback IPv4 interface that is up, or
/// the one facing `peer` when given. Empty if there is none.
std::string detect_node_address(const std::string& peer);

/// `<state-dir>/cluster-members`: the members this node saw last.
std::vector<std::string> read_known_members(const std::string& state_dir);
void write_known_members(const std::string& state_dir,
                         const std::vector<std::string>& members);

/// Asks the Sentinel at `host`:`port` for the master's address.
std::optional<std::string> sentinel_master(const std::string& host, uint16_t port,
                                           const std::string& password,
                                           caf::timespan timeout);

/// The master as the cluster sees it: our own Sentinel, then the other
/// members' ones. Nothing if no Sentinel answers.
std::optional<std::string> find_redis_master(const cluster_node& node);

/// Output and exit status of a RabbitMQ CLI tool run through the wrapper the
/// managed node writes into `rabbit_dir` (adapters/managed_services).
struct tool_result {
  int status = -1;
  std::string output;
  bool ok() const { return status == 0; }
};
tool_result run_rabbit_tool(const std::string& rabbit_dir, const std::string& tool,
                            const std::vector<std::string>& args);

/// The RabbitMQ node names our node's cluster has, and which of them run.
struct rabbit_cluster_view {
  std::vector<std::string> nodes;
  std::vector<std::string> running;
  std::vector<std::string> partitions;
  std::vector<std::string> alarms;
};
caf::expected<rabbit_cluster_view> rabbit_cluster_status(const std::string& rabbit_dir);

/// Makes our RabbitMQ node a member of `peer`'s cluster unless it already
/// is one (stop_app, reset, join_cluster, start_app), then grows the
/// quorum queues onto it. Returns what it did, one line.
caf::expected<std::string> join_rabbit_cluster(const cluster_node& node,
                                               const std::string& rabbit_dir,
                                               const std::string& peer);

/// A clean leave (SIGINT), while our services still run: hand the Redis
/// master role to a replica, drop our member record, leave the RabbitMQ
/// cluster (unless we are its last running node, which keeps the data).
/// Prints what it does on stdout.
void leave_cluster(const cluster_node& node, const std::string& rabbit_dir);

/// Once our services are gone: the other Sentinels forget ours (they never
/// do by themselves, and a forgotten one would count against the majority
/// of every later failover).
void forget_left_node(const cluster_node& node);

} // namespace chat
