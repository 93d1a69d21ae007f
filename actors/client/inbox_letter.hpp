#pragma once

// What a private message kept for a user who is away holds once its sealed
// box is opened (docs/protocol.md, "Inbox"): who wrote to whom, the
// message's id and sending time, the text, and the sender's signature over
// a scope that names the recipient, so a letter can be neither replayed as
// a group message nor re-sealed to someone else. A "delivered" receipt is a
// letter too, under a scope of its own.

#include "actors/client/sender_proof.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace chat {

struct inbox_letter {
  enum kind_t : uint8_t {
    message, ///< a private message
    receipt, ///< "filed by the recipient": `id` is the message's, `text` its start
  };
  kind_t kind = message;
  std::string from;
  std::string to;
  /// Random, unique per message; never the sender's name.
  std::string id;
  /// When the sender sent it, ms since the epoch (the sender's clock).
  int64_t sent_ms = 0;
  std::string text;
  /// Hex Ed25519 signature by `from`'s identity key over signed_fields().
  std::string signature;

  /// "inbox:<to>" for messages, "inbox-receipt:<to>" for receipts.
  std::string scope() const;

  /// Sets `signature` with our identity (`from` is us).
  void sign(const sender_proof& proof);

  /// The claim a receiver checks the signature of.
  claimed_message claim() const { return {scope(), from, id, text, signature}; }

  /// The bytes that are sealed (JSON).
  std::string encode() const;

  /// A letter from opened bytes; nothing if malformed (names that break the
  /// naming rule, unknown kinds, missing fields).
  static std::optional<inbox_letter> decode(const std::string& bytes);
};

/// A fresh letter id: 128 random bits, hex.
std::string make_letter_id();

/// The first words of `text` for a receipt: at most `max_bytes`, cut at a
/// space when there is one, "…" appended when cut.
std::string first_words(const std::string& text, size_t max_bytes = 40);

} // namespace chat
