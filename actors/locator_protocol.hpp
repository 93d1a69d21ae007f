#pragma once

// The LAN locator's datagrams (PROTOCOL.md): a client broadcasts
// "DISCOVERY_REQUEST"; the server answers "SERVER_IP:<dotted-quad>".

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

} // namespace chat::locator
