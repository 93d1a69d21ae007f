#pragma once

// Per-session key agreement and authenticated encryption over OpenSSL:
// X25519 + HKDF-SHA-256 give two peers one shared key, ChaCha20-Poly1305
// seals each message with it (a MAC of microseconds instead of a signature
// per message, and the text hidden from anyone between the peers).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chat {

class x25519_key {
public:
  /// A fresh random key pair; throws std::runtime_error if OpenSSL fails.
  static std::shared_ptr<const x25519_key> generate();

  ~x25519_key();

  /// The public key, hex (64 characters).
  const std::string& public_hex() const { return public_hex_; }

  /// 32 bytes: HKDF-SHA-256 of the X25519 secret shared with the key
  /// `peer_public_hex`, with `context` as HKDF info. Empty if the peer key
  /// is malformed or of low order.
  std::string derive(std::string_view peer_public_hex, std::string_view context) const;

private:
  x25519_key() = default;
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string public_hex_;
};

/// Bytes of the authentication tag aead_seal appends.
inline constexpr size_t aead_tag_bytes = 16;
/// Bytes of a nonce.
inline constexpr size_t aead_nonce_bytes = 12;

/// ChaCha20-Poly1305 of `plaintext` under a 32-byte `key` and a 12-byte
/// `nonce` (never used twice with one key), authenticating `aad` too:
/// ciphertext followed by the tag.
std::string aead_seal(std::string_view key, std::string_view nonce, std::string_view aad,
                      std::string_view plaintext);

/// The plaintext of `sealed`, or nothing if the key, nonce, aad or any byte
/// of it is not what was sealed.
std::optional<std::string> aead_open(std::string_view key, std::string_view nonce,
                                     std::string_view aad, std::string_view sealed);

} // namespace chat
