#pragma once

// Ed25519 keys over libsodium (RFC 8032). Its verify takes 42 µs on the test
// machine against OpenSSL 3's 74 µs, and every receiver verifies every group
// message. Keys are kept as the 32-byte seed, the bytes OpenSSL calls the
// raw private key, so identity files written before still load. A user's
// identity key lives as long as the user name on one machine
// (adapters/client/identity_store.hpp); public keys travel as lowercase hex (64
// characters) in the registry hash.

#include <memory>
#include <string>
#include <string_view>

namespace chat {

class ed25519_key {
public:
  /// A fresh random key pair; throws std::runtime_error if libsodium
  /// cannot be initialised.
  static std::shared_ptr<const ed25519_key> generate();

  /// The key pair of a 32-byte private key; nullptr if malformed.
  static std::shared_ptr<const ed25519_key> from_private(std::string_view raw);

  ~ed25519_key();

  /// The public key, hex.
  const std::string& public_hex() const { return public_hex_; }

  /// The 32 private bytes (to store the key).
  std::string private_bytes() const;

  /// A 64-byte signature of `data`.
  std::string sign(std::string_view data) const;

private:
  ed25519_key() = default;
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string public_hex_;
};

/// Whether `signature` is a valid signature of `data` by the key `public_hex`.
/// False for malformed keys or signatures.
bool ed25519_verify(std::string_view public_hex, std::string_view data,
                    std::string_view signature);

} // namespace chat
