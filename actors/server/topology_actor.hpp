#pragma once

// Declares docs/protocol.md's four exchanges (non-durable, as original clients
// declare them) and their durable twins (adapters/common/amqp_protocol.hpp)
// whenever the broker becomes ready, so that a restarted broker routes
// between them again before any client reconnects. Then binds every live
// persistent subscription recorded in Redis (actors/common/subscriptions.hpp) to
// the durable twin: a queue bound there keeps its binding across broker
// restarts from then on. Between restarts it binds newly recorded
// subscriptions every `defaults::topology_interval`, so that a recorded
// original client's queue is bound durably before the next restart and
// loses nothing in it.

#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_connection.hpp"
#include "adapters/common/redis_client.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <set>
#include <string>

namespace chat {

/// ready: the broker (re)started; refresh: bind what was recorded since.
using topology_actor =
    caf::typed_actor<caf::reacts_to<ready_atom>, caf::reacts_to<refresh_atom>>;

struct topology_state {
  amqp_settings broker;
  redis_settings redis;
  /// Subscriptions re-bound by the last round.
  int rebound = 0;
  /// Successful declaration rounds.
  int rounds = 0;
  /// Subscription queues bound to the durable twin since the broker
  /// (re)started.
  std::set<std::string> bound;
  /// A refresh is scheduled.
  bool refreshing = false;
  /// Secure mode: the server node also declares and binds insults_queue
  /// (members may only consume it; adapters/common/amqp_protocol.hpp) and
  /// declares the inbox exchange.
  bool shared_queues = false;
  static inline const char* name = "topology";
};

using topology_pointer = topology_actor::stateful_pointer<topology_state>;

/// Spawn detached: rabbitmq-c blocks.
topology_actor::behavior_type topology_impl(topology_pointer self, amqp_settings broker,
                                            redis_settings redis,
                                            bool shared_queues = false);

} // namespace chat
