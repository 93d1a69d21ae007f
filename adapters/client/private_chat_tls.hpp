#pragma once

// The certificate a session shows on its private-chat TLS connections
// (docs/security.md): a fresh EC P-256 key and a self-signed
// certificate per session, in memory only. Peers do not trust it through a
// CA: the session publishes its SHA-256 fingerprint in the registry, signed
// by its identity key (actors/client/private_chat_keys.hpp), and a peer accepts
// exactly that certificate.

#include <memory>
#include <string>
#include <string_view>

namespace chat {

struct tls_identity {
  /// PEM of the certificate and of its private key.
  std::string cert_pem;
  std::string key_pem;
  /// SHA-256 of the certificate's DER encoding, lowercase hex (64).
  std::string fingerprint;

  /// A new key and certificate (CN `common_name`, valid from an hour ago
  /// for 30 days); throws std::runtime_error if OpenSSL fails.
  static std::shared_ptr<const tls_identity> generate(const std::string& common_name);
};

/// The fingerprint (as tls_identity::fingerprint) of the first certificate
/// in `pem`; empty if there is none or it is malformed.
std::string pem_fingerprint(std::string_view pem);

} // namespace chat
