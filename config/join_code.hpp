#pragma once

// The join code: one copy-pasteable token a server node prints and every
// client needs in secure mode (like a Wi-Fi password). It carries what a
// client needs to reach the server node safely: the member credentials of
// the broker and the name server, the TLS ports, and the SHA-256
// fingerprint of the server's certificate, which the client pins.
//
// Text form: "chat1-" + base64url (no padding) of
//   u8 version (1) | u8 flags | u16 amqp TLS port | u16 redis TLS port |
//   [flags bit 0 "cluster": u16 sentinel TLS port] |
//   [flags bit 1 "locator": u16 LAN locator port (UDP)] | 32 bytes certificate
//   fingerprint | u8-length-prefixed strings: amqp user, amqp password, amqp vhost, redis
//   password | u32 FNV-1a checksum
// (integers big-endian). Pure: no I/O, no OpenSSL.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat {

/// A SHA-256 digest (of a certificate's DER encoding).
using fingerprint = std::array<uint8_t, 32>;

struct join_code {
  /// Broker port that speaks AMQP over TLS.
  uint16_t amqp_tls_port = 0;
  /// Port of the TLS front of the name server (Redis).
  uint16_t redis_tls_port = 0;
  /// SHA-256 of the server certificate (DER).
  fingerprint cert{};
  std::string amqp_user;
  std::string amqp_password;
  std::string amqp_vhost = "/";
  std::string redis_password;
  /// A cluster of server nodes: the name server's master is
  /// found through Redis Sentinel (on `sentinel_tls_port` of any node), and
  /// persistent queues are quorum queues.
  bool cluster = false;
  uint16_t sentinel_tls_port = 0;
  /// The server nodes' LAN locator port (UDP), where clients ask for their
  /// broker account (and search, when no server is configured); 0 if the
  /// code does not say (then `chat.locator-port`).
  uint16_t locator_port = 0;

  friend bool operator==(const join_code&, const join_code&) = default;
};

/// The text form ("chat1-…").
std::string encode(const join_code& code);

/// Parses the text form (surrounding white space ignored); on failure
/// returns nothing and sets `why` to one line for the user.
std::optional<join_code> decode_join_code(std::string_view text, std::string& why);

/// "ab:cd:…" (lower-case hex, colon-separated), as `openssl x509
/// -fingerprint -sha256` prints it (upper-case there; compared
/// case-insensitively by `parse_fingerprint`).
std::string to_hex(const fingerprint& fp);

/// Reads hex with or without colons; nothing if malformed.
std::optional<fingerprint> parse_fingerprint(std::string_view text);

/// Constant-time comparison (the pin check).
bool same_fingerprint(const fingerprint& a, const fingerprint& b);

} // namespace chat
