#pragma once

// Pure input rules and signing payload of private messages: no actors, no
// I/O, so they are unit-tested directly.

#include <cstdint>
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

/// The bytes a sender signs: every field that must not be altered or
/// replayed elsewhere, each length-prefixed so fields cannot run together.
/// `receiver_key` ties the signature to the receiver's current session.
std::string signed_payload(std::string_view sender, std::string_view receiver,
                           std::string_view receiver_key, std::string_view text,
                           uint64_t seq);

/// "private:<peer>", the chat name the CLI sees.
std::string chat_name(std::string_view peer);

} // namespace chat::private_chat
