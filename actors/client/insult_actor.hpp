#pragma once

// The insult channel (docs/protocol.md): publishes to the `insults` fanout; while
// the user is in the channel, consumes the shared `insults_queue` with
// prefetch 1 and manual ack, so K consumers share insults round-robin.
// Leaving the channel cancels the consumer and requeues what is in flight.
// Our own insults are requeued (up to `max_own_bounces` times) so that
// another consumer gets them. Events go to the parent as
// (event_atom, chat_event) with chat "insults".

#include "actors/client/bounded_history.hpp"
#include "actors/client/chat_types.hpp"
#include "actors/client/publisher_state.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chat {

using insult_actor =
    caf::typed_actor<caf::replies_to<insult_atom, std::string>::with<ok_atom>,
                     caf::reacts_to<open_atom>, caf::reacts_to<close_atom>,
                     caf::replies_to<history_atom>::with<std::vector<chat_event>>,
                     caf::reacts_to<deliver_atom, amqp_delivery>,
                     caf::reacts_to<confirm_atom, uint64_t, caf::error>,
                     caf::reacts_to<link_atom, bool, std::string>>;

/// How often we hand our own insult back before showing it anyway (when we
/// are its only consumer).
inline constexpr int max_own_bounces = 3;

struct insult_state : publisher_state {
  std::string user;
  /// Whether the user is in the channel (we consume).
  bool open = false;
  /// Oldest first, bounded.
  bounded_history history;
  /// Own insults handed back, by message id.
  std::map<std::string, int> bounces;
  static inline const char* name = "insults";
};

using insult_pointer = insult_actor::stateful_pointer<insult_state>;

/// `proof` signs our insults and checks the senders of others'.
insult_actor::behavior_type insult_impl(insult_pointer self, std::string user,
                                        amqp_channel_factory broker, caf::actor parent,
                                        sender_proof proof = {});

} // namespace chat
