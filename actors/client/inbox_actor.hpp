#pragma once

// Private messages to a user who is away, kept for them on the broker,
// sealed end to end (docs/protocol.md, "Inbox"). Owns an AMQP channel with
// our inbox queue `<user>:inbox` bound with key `<user>` to the durable
// topic exchange `chat-actors.inbox`: what was sealed to us while we were
// away waits there (chat.away-keep, at most chat.inbox-max-messages, then
// the broker refuses more) and is filed in `private:<from>` as backlog, then
// acked. Sending seals a signed letter to the recipient's identity key (the
// one pinned for them, else the name server's record) and publishes it
// with the recipient's name as the only thing in clear. A filed message is
// answered with a sealed "delivered" receipt. Events go to the parent
// (broker_link) as (event_atom, chat_event).

#include "actors/client/chat_types.hpp"
#include "actors/client/inbox_letter.hpp"
#include "actors/client/sender_proof.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"
#include "config/defaults.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace chat {

/// send: seals `text` for `to` and queues it in their inbox; replies once
/// the broker has it (then the user sees "queued"), or with why not: full
/// inbox, no inbox, no key for `to`. ready: replies once our inbox is live.
using inbox_actor =
    caf::typed_actor<caf::replies_to<send_atom, std::string, std::string>::with<ok_atom>,
                     caf::replies_to<ready_atom>::with<ok_atom>,
                     caf::reacts_to<deliver_atom, amqp_delivery>,
                     caf::reacts_to<confirm_atom, uint64_t, caf::error>,
                     caf::reacts_to<link_atom, bool, std::string>,
                     caf::reacts_to<backlog_atom, uint32_t>>;

struct inbox_config {
  std::string user;
  /// Opens our channel on the client's broker connection.
  amqp_channel_factory broker;
  /// How long the inbox and each message in it last (chat.away-keep).
  caf::timespan keep{defaults::away_keep};
  /// Messages an inbox holds (chat.inbox-max-messages).
  int64_t max_messages = defaults::inbox_max_messages;
  /// Longest text accepted, sent or received (chat.max-message-bytes).
  size_t max_message_bytes = static_cast<size_t>(defaults::max_message_bytes);
  /// Our identity (seals receipts, opens letters, signs), the pinned keys
  /// and the registry (first contact).
  sender_proof proof;
  /// Read our inbox; off for one-shot sends, which leave it for the next
  /// interactive session.
  bool consume = true;
};

/// The "queued" line the sender sees.
std::string queued_notice(const std::string& to);

/// A letter on its way to the broker.
struct outgoing_letter {
  inbox_letter letter;
  /// The sender's request (messages; receipts have none).
  std::optional<caf::typed_response_promise<ok_atom>> promise;
};

struct inbox_state {
  inbox_config cfg;
  /// Gets (event_atom, chat_event).
  caf::actor parent;
  std::unique_ptr<amqp_channel> channel;
  /// Letters waiting for their publisher confirm, by message number.
  std::map<uint64_t, outgoing_letter> pending;
  uint64_t next_id = 1;
  /// Letters filed recently (redeliveries after a reconnect are acked only).
  std::set<std::string> filed;
  std::deque<std::string> filed_order;
  std::vector<caf::typed_response_promise<ok_atom>> waiting_ready;
  bool ready = false;
  /// Deliveries still to come that waited for us while we were away.
  uint32_t backlog_left = 0;
  bool backlog_known = false;

  /// Whether `id` is new (and remembers it).
  bool first_time(const std::string& id);
  /// Seals `out.letter` to `key` and publishes it.
  void post(outgoing_letter out, const std::string& key);
  void emit(chat_event ev);
  /// Answers every waiting send with "not queued" (the actor ends).
  void drop_pending(const std::string& why);
  static inline const char* name = "inbox";
};

using inbox_pointer = inbox_actor::stateful_pointer<inbox_state>;

inbox_actor::behavior_type inbox_impl(inbox_pointer self, inbox_config cfg,
                                      caf::actor parent);

} // namespace chat
