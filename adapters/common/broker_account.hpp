#pragma once

// Per-user broker accounts. The join code's
// shared account may not touch anyone's queues; each user gets a RabbitMQ
// account of its own, bound on the server to the user's long-lived Ed25519
// identity key, whose permissions cover only that user's queues and routing
// keys. A client asks a server node's LAN locator for it with one datagram
//   ACCOUNT_REQUEST:<nonce>:<name>:<identity>:<ephemeral>:<sig>:<mac>
// where <identity> is the Ed25519 key (hex), <ephemeral> a fresh X25519 key
// (hex), <sig> the identity key's signature over the fields before it, and
// <mac> an HMAC keyed from the join code's member password (only holders of
// the code may ask). The answer is
//   ACCOUNT_GRANTED:<nonce>:<server X25519 key>:<sealed "user\npassword">
// sealed with ChaCha20-Poly1305 under X25519 + HKDF of the two ephemeral
// keys (nobody else on the LAN can read it), or
//   ACCOUNT_REFUSED:<nonce>:<reason>
// (unauthenticated: a rogue can only make the request fail). The server
// derives the password from its account secret, the name and the identity
// key, so asking again with the same key gives the same account, and a
// request with another key for a bound name is refused.

#include "adapters/common/ed25519.hpp"
#include "adapters/common/session_crypto.hpp"

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::broker_account {

inline constexpr std::string_view request_prefix = "ACCOUNT_REQUEST:";
inline constexpr std::string_view granted_prefix = "ACCOUNT_GRANTED:";
inline constexpr std::string_view refused_prefix = "ACCOUNT_REFUSED:";

/// Why a server refuses an account.
enum class refusal {
  /// The MAC does not prove the join code (a stranger, or an old code).
  not_member,
  /// The identity key did not sign the request.
  bad_signature,
  /// The name is bound to another identity key on this server.
  name_bound,
  /// Names `chat-actors who` makes up (`who` + 6 hex digits) share the
  /// join code's account; nobody owns them.
  reserved_name,
  /// The server could not create the account (its log says why).
  unavailable,
};

std::string_view to_string(refusal why);

/// The broker user of chat user `name` (a ':' cannot be in a name, so no
/// chat user collides with the server's own accounts).
std::string broker_user(std::string_view name);

/// Whether `name` has the shape of the throwaway names of `chat-actors who`.
bool is_throwaway_name(std::string_view name);

/// A throwaway name for `chat-actors who`.
std::string make_throwaway_name();

/// The password the server gives `name` with identity key `identity_hex`.
std::string account_password(std::string_view account_secret, std::string_view name,
                             std::string_view identity_hex);

/// A request, as the server reads it.
struct request {
  std::string nonce;
  std::string name;
  std::string identity;
  std::string ephemeral;
  /// The MAC proves the join code.
  bool member = false;
  /// The identity key signed it.
  bool signed_by_identity = false;
};

/// The request of `name`, holding `identity` and the fresh `ephemeral` key,
/// with `nonce` (32 hex digits).
std::string make_request(std::string_view member_password, std::string_view name,
                         const ed25519_key& identity, const x25519_key& ephemeral,
                         std::string_view nonce);

/// A request, or nothing if `payload` is not a well-formed one.
std::optional<request> parse_request(std::string_view member_password,
                                     std::string_view payload);

/// The sealed grant of `user`/`password` to request `req`.
std::string make_grant(const request& req, std::string_view user,
                       std::string_view password);

std::string make_refusal(std::string_view nonce, refusal why);

struct credentials {
  std::string user;
  std::string password;
};

/// What an answer to our request is.
struct answer {
  enum kind { unrelated, granted, refused } what = unrelated;
  credentials account;
  refusal why = refusal::unavailable;
};

/// Reads an answer to the request (`nonce`, `name`, `identity_hex`) made
/// with `ephemeral`. A grant that does not open is `unrelated`.
answer parse_answer(std::string_view payload, std::string_view nonce,
                    std::string_view name, std::string_view identity_hex,
                    const x25519_key& ephemeral);

/// Asks the LAN locators of `hosts` (on `port`, in order, `timeout` each)
/// for `name`'s account. A grant from any of them ends the search; errors
/// are one line for the user.
caf::expected<credentials> fetch(const std::vector<std::string>& hosts, uint16_t port,
                                 std::string_view member_password, std::string_view name,
                                 const ed25519_key& identity, caf::timespan timeout);

} // namespace chat::broker_account
