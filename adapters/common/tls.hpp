#pragma once

// The OpenSSL parts of secure mode in one small adapter: secrets, the
// server's self-signed certificate, and certificate pinning for clients.
//
// Pinning: a client knows the SHA-256 fingerprint of the server's
// certificate from the join code. `pin_certificate` replaces OpenSSL's
// chain verification on an SSL_CTX by one check, "is the leaf certificate
// exactly the pinned one", so no CA and no host name is involved (the server
// certificate is self-signed and the server is found by address or by a LAN
// broadcast). The handshake fails before any application byte is sent, so
// credentials never reach a server that does not hold the pinned key.

#include "config/join_code.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <string>

namespace chat::tls {

/// `n` random bytes (OpenSSL's CSPRNG) as 2n lower-case hex digits.
std::string random_hex(size_t n);

/// Writes a new EC P-256 key and a self-signed certificate for it (valid
/// 10 years) as PEM files, both mode 0600.
caf::error make_self_signed(const std::string& key_file, const std::string& cert_file,
                            const std::string& common_name);

/// SHA-256 of the DER encoding of the certificate in a PEM file.
caf::expected<fingerprint> file_fingerprint(const std::string& cert_file);

/// RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt | sha256(salt |
/// password)), for a definitions file (no plaintext password on disk there).
std::string rabbit_password_hash(const std::string& password);

/// What a pinned handshake saw.
struct pin {
  fingerprint expected{};
  /// The leaf certificate the peer presented (set by the handshake).
  std::optional<fingerprint> presented;

  bool mismatch() const { return presented && !same_fingerprint(*presented, expected); }
};

/// Makes handshakes on `ssl_ctx` (an `SSL_CTX*`) accept exactly the
/// certificate `p->expected`; `p` must outlive the context.
void pin_certificate(void* ssl_ctx, pin* p);

} // namespace chat::tls
