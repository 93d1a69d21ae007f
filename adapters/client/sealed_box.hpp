#pragma once

// Anonymous public-key encryption to a user's long-lived identity: libsodium's
// sealed box (X25519 + XSalsa20-Poly1305, a fresh key pair per message) to
// the X25519 key converted from the recipient's Ed25519 identity key. Only
// the holder of the identity key opens it; the box says nothing of who
// sealed it (who sent it is inside, signed: actors/client/inbox_letter.hpp).

#include "adapters/common/ed25519.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace chat {

/// `plain` sealed to the identity key `recipient_hex` (Ed25519, hex);
/// nothing if the key is malformed or not a valid curve point.
std::optional<std::string> seal_to(std::string_view recipient_hex,
                                   std::string_view plain);

/// What `box` holds, opened with our identity key; nothing if it was not
/// sealed to that key or was changed on the way.
std::optional<std::string> open_sealed(const ed25519_key& identity, std::string_view box);

} // namespace chat
