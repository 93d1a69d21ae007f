#pragma once

// The LAN locator's datagrams (docs/protocol.md): a client broadcasts
// "DISCOVERY_REQUEST"; the server answers "SERVER_IP:<dotted-quad>".
//
// Secure mode adds an authenticated variant (docs/security.md): a client
// holding the join code broadcasts "DISCOVERY_REQUEST:<nonce>" and takes
// only answers "SERVER_IP:<dotted-quad>:<nonce>:<mac>", the MAC keyed from
// the join code. A host without the code can then neither point a client
// elsewhere nor flood it with addresses to probe. Original clients never
// send the variant, and would not read its answer as a reply.

#include <optional>
#include <string>
#include <string_view>

namespace chat::locator {

inline constexpr std::string_view request = "DISCOVERY_REQUEST";
inline constexpr std::string_view reply_prefix = "SERVER_IP:";

inline std::string make_reply(const std::string& ip) {
  return std::string{reply_prefix} + ip;
}

/// The server address in a reply, or nothing if `payload` is not a valid
/// reply with an IPv4 dotted quad.
std::optional<std::string> parse_reply(std::string_view payload);

/// The key that authenticates replies, from the join code's member password.
std::string reply_key(std::string_view member_password);

/// An authenticated request with `nonce` (hex).
std::string make_request(std::string_view nonce);

/// The nonce of an authenticated request, or nothing.
std::optional<std::string> parse_request_nonce(std::string_view payload);

/// The answer to an authenticated request.
std::string make_reply(std::string_view key, const std::string& ip,
                       std::string_view nonce);

/// The address in an answer to our request `nonce` whose MAC checks out
/// under `key`, or nothing.
std::optional<std::string> parse_reply(std::string_view key, std::string_view nonce,
                                       std::string_view payload);

} // namespace chat::locator
