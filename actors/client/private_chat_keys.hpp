#pragma once

// The keys behind private chats (docs/security.md):
// - every user name has a long-lived Ed25519 identity key;
// - every session makes an X25519 key and publishes it in the registry next
//   to the identity key, signed by it (`vouched`);
// - two sessions derive one shared key (X25519 + HKDF) the first time they
//   talk, and every message is sealed with it (ChaCha20-Poly1305): the seal
//   proves the sender's session and hides the text from anyone in between.

#include "actors/client/registry_actor.hpp"
#include "adapters/client/private_chat_tls.hpp"
#include "adapters/common/ed25519.hpp"
#include "adapters/common/session_crypto.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chat {

/// This session's keys.
struct session_keys {
  /// The user's long-lived key (adapters/client/identity_store.hpp).
  std::shared_ptr<const ed25519_key> identity;
  /// This run's key-agreement key.
  std::shared_ptr<const x25519_key> session;
  /// This run's certificate for private-chat TLS; nullptr = none.
  std::shared_ptr<const tls_identity> tls;

  /// Fresh keys for this process only (tests, throwaway names).
  static session_keys ephemeral();

  /// `ep` with our identity key, session key and the signature for `name`,
  /// and our certificate's fingerprint with its signature (`ep.tls_port`
  /// is the caller's).
  endpoint publish(const std::string& name, endpoint ep) const;
};

/// Whether `ep` has a session key signed for `name` by its identity key.
bool vouched(const std::string& name, const endpoint& ep);

/// Whether `ep` has a certificate fingerprint signed for `name` (and its
/// session key) by its identity key.
bool tls_vouched(const std::string& name, const endpoint& ep);

/// A short form of a key for people to compare ("3f2a 91c0 …").
std::string key_fingerprint(std::string_view key_hex);

/// The whole key in groups of four ("3f2a 91c0 … 07be"), to compare out of
/// band before /trust.
std::string full_key_fingerprint(std::string_view key_hex);

/// The key one session of ours shares with one session of a peer.
class pair_key {
public:
  /// Nothing if `peer_session_key` is malformed.
  static std::optional<pair_key> derive(const x25519_key& mine, std::string_view my_name,
                                        std::string_view peer_name,
                                        std::string_view peer_session_key);

  const std::string& peer_session_key() const { return peer_; }

  /// `text` from us to the peer, sealed and in base64.
  std::string seal(std::string_view sender, std::string_view receiver, uint64_t seq,
                   std::string_view text) const;

  /// The text of a message from the peer; nothing if it was not sealed with
  /// this key for exactly these fields.
  std::optional<std::string> open(std::string_view sender, std::string_view receiver,
                                  uint64_t seq, std::string_view sealed) const;

private:
  std::string key_;
  std::string mine_;
  std::string peer_;
};

} // namespace chat
