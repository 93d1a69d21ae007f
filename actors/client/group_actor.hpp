#pragma once

// One subscribed group chat. Owns an AMQP channel with the subscription
// queue `<user>:<group>` bound with `*.<group>.*` (docs/protocol.md) to the
// durable twin of `group_chat`; the exchanges are the connection's.
// Keeps the group's history; a delivery is acked only once it is in the
// history, so nothing is lost when the client or the broker goes away.
// Events go to the parent (broker_link) as (event_atom, chat_event).

#include "actors/client/bounded_history.hpp"
#include "actors/client/chat_types.hpp"
#include "actors/client/publisher_state.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"
#include "config/defaults.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

/// ready: replies once the subscription is live on the broker. post: sends
/// `<user>: <text>`, replies once the broker confirmed it; while the broker
/// is unreachable posts wait (in order, at most chat.outbox-size) and are
/// sent once it is back. Every post is answered, also when the actor ends
/// (then with an error: not sent). leave: deletes the subscription queue and
/// ends the actor. With `announce`, joining and leaving publish a membership
/// event (header x-chat-event) that other members show as a notice.
using group_actor =
    caf::typed_actor<caf::replies_to<ready_atom>::with<ok_atom>,
                     caf::replies_to<post_atom, std::string>::with<ok_atom>,
                     caf::replies_to<history_atom>::with<std::vector<chat_event>>,
                     caf::replies_to<leave_atom>::with<ok_atom>,
                     caf::reacts_to<deliver_atom, amqp_delivery>,
                     caf::reacts_to<confirm_atom, uint64_t, caf::error>,
                     caf::reacts_to<link_atom, bool, std::string>,
                     caf::reacts_to<backlog_atom, uint32_t>>;

struct group_config {
  std::string user;
  std::string group;
  /// Exclusive auto-delete queue and non-persistent messages.
  bool transient = false;
  /// Opens our channel on the client's broker connection.
  amqp_channel_factory broker;
  /// x-expires of a persistent subscription queue (crashed sessions).
  caf::timespan queue_expiry{};
  /// Messages kept in the group's history (chat.history-size).
  size_t history_size = static_cast<size_t>(defaults::history_size);
  /// Bytes of text kept in the history (chat.history-bytes).
  size_t history_bytes = static_cast<size_t>(defaults::history_bytes);
  /// Longest text accepted, sent or received (chat.max-message-bytes).
  size_t max_message_bytes = static_cast<size_t>(defaults::max_message_bytes);
  /// Posts that may wait for the broker's confirm (chat.outbox-size).
  size_t outbox_size = static_cast<size_t>(defaults::outbox_size);
  /// The queue is this session's own (a restart re-joins): keep it and the
  /// messages waiting in it instead of starting fresh.
  bool inherit = false;
  /// Membership lasts until /leave (secure mode): the queue is never
  /// deleted but by /leave, and what waits in it when we subscribe is
  /// shown as said while we were away. Its messages expire after
  /// queue_expiry, the oldest go beyond away_max_messages.
  bool lasting = false;
  int64_t away_max_messages = defaults::away_max_messages;
  /// Signs our posts, checks the senders of others'.
  sender_proof proof;
  /// Tell the group when we join (once subscribed) and leave (/leave), as
  /// event messages; off for a re-join of our own queue and one-shot sends.
  bool announce = false;
};

/// What the signature of a membership event covers in place of the chat:
/// "event:group:<g>:join". Never a chat name, so a signed event cannot be
/// replayed as a message (or as the other event).
std::string event_scope(const std::string& group, std::string_view event);

/// The body of our membership event, for original clients:
/// "<user>: joined #<group>" / "<user>: left #<group>".
std::string event_body(const std::string& user, const std::string& group,
                       std::string_view event);

/// The notice a membership event is shown as: `from` joined or left `group`
/// (a chat_event of kind joined/left); nothing for an unknown event.
std::optional<chat_event> event_notice(const std::string& group, const std::string& from,
                                       std::string_view event, bool verified);

/// Splits a group message into sender and text: the sender header if any
/// (ours), else the `<name>: ` prefix of the body (original clients).
std::pair<std::string, std::string> parse_group_message(const amqp_delivery& d);

struct group_state : publisher_state {
  group_config cfg;
  /// Oldest first, bounded; knows the message ids seen recently (own posts,
  /// redeliveries).
  bounded_history history;
  std::vector<caf::typed_response_promise<ok_atom>> waiting_ready;
  bool ready = false;
  /// The broker connection is down (after it was up once).
  bool offline = false;
  /// Posts that waited for an outage; reported once all are sent.
  size_t held = 0;
  /// The user was told, in this outage, that posts wait.
  bool said_pending = false;
  /// Deliveries still to come that waited for us while we were away.
  uint32_t backlog_left = 0;
  /// The first subscription told what waited (later ones are reconnects).
  bool backlog_known = false;
  /// Clean exit or leave: delete the queue (a crash leaves it to x-expires).
  void remove_subscription();
  /// Answers every waiting post with "not sent" (the actor ends).
  void drop_pending(const std::string& why);
  static inline const char* name = "group";
};

using group_pointer = group_actor::stateful_pointer<group_state>;

group_actor::behavior_type group_impl(group_pointer self, group_config cfg,
                                      caf::actor parent);

} // namespace chat
