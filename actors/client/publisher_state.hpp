#pragma once

// What the group and insult actors share (as Zeek Broker's store actors share
// `store_actor_state`): their channel on the client's broker connection, the
// posts waiting for a publisher confirm, and how they tell the user about
// their chat.

#include "actors/client/chat_types.hpp"
#include "actors/client/sender_proof.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"

#include <caf/actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <map>
#include <memory>
#include <string>

namespace chat {

struct publisher_state {
  /// The chat id of our events ("group:<g>", "insults").
  std::string chat;
  /// Gets (event_atom, chat_event).
  caf::actor parent;
  /// Our channel on the client's broker connection.
  std::unique_ptr<amqp_channel> channel;
  /// Posts waiting for their publisher confirm, by message number.
  std::map<uint64_t, caf::typed_response_promise<ok_atom>> pending;
  /// The text of each waiting post: a post that fails is named by it.
  std::map<uint64_t, std::string> texts;
  /// The number of the next message we publish.
  uint64_t next_id = 1;
  /// Signs what we publish and checks who sent what we receive.
  sender_proof proof;

  /// Adds our signature of `text` to `msg` (sender and id set already).
  void sign(amqp_message& msg, const std::string& text) const;

  /// Publishes `msg` (the post `text`) as message `id` and keeps `rp`
  /// until its confirm.
  void publish(uint64_t id, amqp_message msg, caf::typed_response_promise<ok_atom> rp,
               std::string text = {});

  /// Answers the post `id` with `err` (none: sent) and, on an error, tells
  /// the user which post failed; false if no post waits for it.
  bool settle(uint64_t id, const caf::error& err);

  /// Sends `ev` to the parent.
  void emit(chat_event ev);

  /// One line for the user in our chat.
  void tell(uint8_t kind, std::string text);

  /// Shows a link status change (the first "connected" is not news).
  void show_link(bool up, const std::string& text);
};

} // namespace chat
