#pragma once

// A server node's part in its cluster. Once the local RabbitMQ
// answers, it joins the peer's RabbitMQ cluster (or checks that it still is
// a member) and grows the quorum queues onto it. Every `interval` it
// refreshes the node's entry in the registry's member hash, which clients
// read to know where to fail over, and keeps the local Sentinel quorum and
// Redis' `min-replicas-to-write` in line with the number of members.

#include "actors/common/atoms.hpp"
#include "actors/server/lan_locator_actor.hpp"
#include "adapters/common/redis_client.hpp"
#include "adapters/server/cluster_node.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>

namespace chat {

/// ready: the local RabbitMQ answers; refresh: one membership round.
using cluster_actor =
    caf::typed_actor<caf::reacts_to<ready_atom>, caf::reacts_to<refresh_atom>>;

struct cluster_state {
  /// What this node knows; `members` grows with the registry's hash.
  cluster_node node;
  std::string state_dir;
  /// The managed RabbitMQ node's directory (CLI wrappers).
  std::string rabbit_dir;
  /// The master our connection `master` goes to.
  std::string master_address;
  std::unique_ptr<redis_client> master;
  /// Gets (ready_atom, "cluster", what) once RabbitMQ membership is done.
  caf::actor parent;
  /// Whether RabbitMQ membership was checked since the node (re)started.
  bool rabbit_joined = false;
  /// Settings last applied to the local Redis and Sentinel.
  int applied_quorum = 0;
  int applied_min_replicas = -1;

  static inline const char* name = "cluster";
};

using cluster_pointer = cluster_actor::stateful_pointer<cluster_state>;

/// Spawn detached: rabbitmqctl and hiredis block.
cluster_actor::behavior_type cluster_impl(cluster_pointer self, cluster_node node,
                                          std::string state_dir, std::string rabbit_dir,
                                          caf::actor parent);

/// The LAN locator's answer to join requests: the sealed bundle for a
/// newcomer that knows the secret, a refusal (and a log line) otherwise.
join_handler join_responder(std::string state_dir, cluster_node node);

} // namespace chat
