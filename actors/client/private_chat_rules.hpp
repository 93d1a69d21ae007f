#pragma once

// Pure input rules and the byte layouts of the private-chat proof (what is
// signed, derived and sealed): no actors, no I/O, so they are unit-tested
// directly.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace chat::private_chat {

/// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code
/// points above U+10FFFF).
bool valid_utf8(std::string_view text);

/// Empty if `text` may be sent or accepted, else a one-line reason.
std::string text_problem(std::string_view text, size_t max_bytes);

/// `text` without control characters (C0 except tab, DEL, C1), so a peer
/// cannot fake lines or move the cursor. Expects valid UTF-8.
std::string displayable(std::string_view text);

/// Fields joined after `tag`, each length-prefixed so that they cannot run
/// together ("bo"+"balice" differs from "bob"+"alice").
std::string framed(std::string_view tag, std::initializer_list<std::string_view> fields);

/// What a user's identity key signs to vouch for a session key: the name,
/// the identity and the session's X25519 key.
std::string session_key_payload(std::string_view name, std::string_view identity,
                                std::string_view session_key);

/// What a user's identity key signs to vouch for the TLS certificate of a
/// session's private-chat service: the name, the identity, the session's
/// X25519 key and the certificate's SHA-256 (hex).
std::string tls_cert_payload(std::string_view name, std::string_view identity,
                             std::string_view session_key, std::string_view cert);

/// HKDF info of the key two sessions share: both names and both session
/// keys, in an order both sides agree on.
std::string pair_context(std::string_view name_a, std::string_view key_a,
                         std::string_view name_b, std::string_view key_b);

/// The 12-byte nonce of message `seq` from the session `sender_key` to
/// `receiver_key`: the direction and the sequence number, so no nonce is
/// used twice under one shared key while seq grows.
std::string message_nonce(std::string_view sender_key, std::string_view receiver_key,
                          uint64_t seq);

/// What the seal authenticates besides the text.
std::string message_aad(std::string_view sender, std::string_view receiver, uint64_t seq);

/// Standard base64 with padding (sealed text travels in a proto3 string).
std::string base64_encode(std::string_view bytes);
/// The bytes of `text`; nothing if it is not canonical base64.
std::optional<std::string> base64_decode(std::string_view text);

/// "private:<peer>", the chat name the CLI sees.
std::string chat_name(std::string_view peer);

} // namespace chat::private_chat
