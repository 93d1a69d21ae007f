#pragma once

// Who sent a group message or an insult: the
// sender signs it with its identity key (header `x-chat-sig`, hex; original
// clients ignore it), receivers check the signature against the key pinned
// for that name, or, on first contact, against the registry's and pin it.
// Unsigned or failing messages are shown, marked unverified; a message
// under our own name is ours only with our own signature.

#include "actors/client/registry_actor.hpp"
#include "adapters/client/identity_store.hpp"
#include "adapters/common/ed25519.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace chat {

/// What a message is signed over: kind ("group:<g>" or "insults"), sender,
/// message id and text.
struct signed_fields {
  std::string_view chat;
  std::string_view sender;
  std::string_view message_id;
  std::string_view text;
};

/// How long a first-contact lookup may hold the chat.
inline constexpr auto lookup_timeout = std::chrono::seconds{1};

struct sender_proof {
  /// Our identity key; nullptr = we neither sign nor verify (tests).
  std::shared_ptr<const ed25519_key> identity;
  /// Keys pinned per name (shared with private chats through the file).
  std::shared_ptr<known_peers> pins;
  /// Where first-contact keys are looked up.
  registry_actor registry;

  explicit operator bool() const { return identity != nullptr; }

  /// The signature header value for a message of ours.
  std::string sign(const signed_fields& fields) const;

  /// Whether `signature` is `key`'s over `fields`.
  static bool valid(const std::string& key, const signed_fields& fields,
                    std::string_view signature);

  /// The key a message from `sender` must be signed with, if already known
  /// without asking the registry: ours for our name, else the pinned one.
  std::string known_key(const std::string& self, const std::string& sender) const;
};

/// A received message and its signature, owning its fields.
struct claimed_message {
  std::string chat;
  std::string sender;
  std::string message_id;
  std::string text;
  std::string signature;

  signed_fields fields() const { return {chat, sender, message_id, text}; }
};

/// Calls `done(verified)` for `msg`: at once when the sender's key is known
/// (ours, or pinned), else once the registry answered (the key it holds is
/// pinned when it signed `msg`: first contact). `await`: later messages wait,
/// so the chat keeps its order.
template <class Self, class Done>
void check_sender(Self* self, const sender_proof& proof, const std::string& user,
                  claimed_message msg, Done done) {
  if (!proof || msg.signature.empty())
    return done(false);
  if (auto key = proof.known_key(user, msg.sender); !key.empty())
    return done(sender_proof::valid(key, msg.fields(), msg.signature));
  if (!proof.registry)
    return done(false);
  self->request(proof.registry, lookup_timeout, lookup_atom::value, msg.sender)
      .await(
          [=](const endpoint& ep) {
            auto ok = sender_proof::valid(ep.public_key, msg.fields(), msg.signature);
            if (ok && proof.pins)
              proof.pins->check(msg.sender, ep.public_key);
            done(ok);
          },
          [=](caf::error&) { done(false); });
}

} // namespace chat
