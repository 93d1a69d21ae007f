#pragma once

// The client's side of the broker, for the CLI: owns one group actor per
// subscribed group, the discovery actor and the insult actor, each with its
// own AMQP connection. Everything is by message; events go to the listener
// as (event_atom, chat_event) with chat "group:<g>", "insults" or
// "discovery", and discovery rounds as (report_atom, discovery_report).
//
// Chats are named "group:<g>" and "insults". open/close set the view:
// unread counts grow for chats not in view; opening "insults" starts
// consuming insults, closing it requeues the one in flight.
// Exit it with `exit_reason::user_shutdown` for a clean exit (deletes the
// user's queues and subscription record); any other reason leaves them to
// expire (x-expires, Redis TTL). A group actor that fails is re-joined
// after a growing delay, keeping its queue, and given up after a few tries.

#include "actors/client/chat_types.hpp"
#include "actors/client/registry_actor.hpp"
#include "actors/client/sender_proof.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"
#include "adapters/common/amqp_connection.hpp"
#include "config/defaults.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include <string>
#include <vector>

namespace chat {

using broker_link_actor = caf::typed_actor<
    /// Subscribes to a group (created if new); transient = exclusive
    /// auto-delete queue, non-persistent messages. Replies once live.
    caf::replies_to<join_atom, std::string, bool>::with<ok_atom>,
    /// Subscribes again to a group this session had joined (after a
    /// restart): its queue and the messages waiting there are kept.
    caf::replies_to<rejoin_atom, std::string, bool>::with<ok_atom>,
    /// Unsubscribes and deletes the subscription queue.
    caf::replies_to<leave_atom, std::string>::with<ok_atom>,
    /// Sends text to a joined group; replies once the broker has it.
    caf::replies_to<post_atom, std::string, std::string>::with<ok_atom>,
    /// A chat's history, oldest first.
    caf::replies_to<history_atom, std::string>::with<std::vector<chat_event>>,
    caf::replies_to<chats_atom>::with<std::vector<chat_summary>>,
    caf::reacts_to<open_atom, std::string>, caf::reacts_to<close_atom, std::string>,
    /// Publishes an insult; replies once the broker has it.
    caf::replies_to<insult_atom, std::string>::with<ok_atom>,
    /// Secure mode: seals text for a user who is away and queues it in
    /// their inbox; replies once the broker has it. Open mode: no_inbox.
    caf::replies_to<inbox_atom, std::string, std::string>::with<ok_atom>,
    /// Starts or stops discovery rounds.
    caf::reacts_to<discover_atom, bool>,
    /// From the children; re-join a failed group (internal).
    caf::reacts_to<event_atom, chat_event>,
    caf::reacts_to<retry_atom, std::string, bool>>;

struct broker_link_settings {
  /// host = the server node's address.
  amqp_settings amqp;
  /// x-expires of our durable queues: a crashed session's queues vanish.
  caf::timespan queue_expiry{};
  /// Membership lasts until /leave (secure mode): subscription queues
  /// outlive the session and keep what is said while we are away.
  bool lasting_membership = false;
  /// How long, and how much, waits for us while we are away.
  caf::timespan away_keep{defaults::away_keep};
  int64_t away_max_messages = defaults::away_max_messages;
  caf::timespan discovery_interval{};
  /// How long after its start a discovery round reports.
  caf::timespan discovery_settle{defaults::discovery_settle};
  /// Group messages and insults follow the private-chat input rules.
  size_t max_message_bytes = static_cast<size_t>(defaults::max_message_bytes);
  /// Messages kept per group.
  size_t history_size = static_cast<size_t>(defaults::history_size);
  /// Bytes of text kept per group.
  size_t history_bytes = static_cast<size_t>(defaults::history_bytes);
  /// Groups joined at once.
  size_t max_groups = static_cast<size_t>(defaults::max_groups);
  /// Messages waiting for the broker per group.
  size_t outbox_size = static_cast<size_t>(defaults::outbox_size);
  /// Our identity and the pinned keys (the registry is added from the
  /// broker link's own); none: nothing is signed or verified.
  sender_proof proof;
  /// Tell a group when we join or leave it (a notice for the others, without
  /// a discovery round); off for one-shot sends.
  bool announce = true;
  /// Secure mode: private messages to users who are away are sealed and
  /// kept in their inbox, and ours wait in ours (needs our identity key).
  bool inbox = false;
  /// Read our inbox; off for one-shot sends (the next session files it).
  bool read_inbox = true;
  int64_t inbox_max_messages = defaults::inbox_max_messages;
};

/// Reads chat.amqp-*, chat.queue-expiry, chat.discovery-interval and -settle and the
/// limits; `server` is the server node's address.
broker_link_settings read_broker_link_settings(const caf::actor_system_config& cfg,
                                               const std::string& server);

/// The one entry point for the CLI. `grpc_endpoint` is "host:port" of our
/// private-chat service, announced to discovery; `registry` records our
/// persistent subscriptions (none if null). Opens the client's one broker
/// connection.
broker_link_actor spawn_broker_link(caf::actor_system& sys, std::string user,
                                    broker_link_settings settings,
                                    std::string grpc_endpoint, caf::actor listener,
                                    registry_actor registry = {});

/// The same on channels from `broker` (tests inject recording channels).
broker_link_actor spawn_broker_link(caf::actor_system& sys, std::string user,
                                    broker_link_settings settings,
                                    std::string grpc_endpoint, caf::actor listener,
                                    registry_actor registry, amqp_channel_factory broker);

} // namespace chat
