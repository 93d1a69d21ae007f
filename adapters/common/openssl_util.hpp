#pragma once

// Small helpers shared by the OpenSSL adapters (x25519, aead, TLS):
// owning pointers for EVP objects and the hex form keys travel in.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace chat::openssl {

struct pkey_free {
  void operator()(EVP_PKEY* x) const { EVP_PKEY_free(x); }
};
struct pkey_ctx_free {
  void operator()(EVP_PKEY_CTX* x) const { EVP_PKEY_CTX_free(x); }
};
struct cipher_ctx_free {
  void operator()(EVP_CIPHER_CTX* x) const { EVP_CIPHER_CTX_free(x); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free>;
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;

/// A self-signed certificate for `key` (random 127-bit serial, valid from
/// an hour ago for `validity_seconds`, subject = issuer = CN `common_name`,
/// SHA-256); nullptr if OpenSSL fails.
x509_ptr self_signed(EVP_PKEY* key, const std::string& common_name,
                     long validity_seconds);

/// HMAC-SHA-256 of `data` under `key` (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// Whether `a` and `b` are equal, in time independent of where they differ.
bool same_bytes(std::string_view a, std::string_view b);

/// Lowercase hex of `bytes`.
std::string to_hex(std::string_view bytes);

/// The bytes of lowercase hex `hex`; false if it is not exactly that.
bool from_hex(std::string_view hex, std::string& out);

/// A fresh key pair of `type` (e.g. EVP_PKEY_X25519); throws
/// std::runtime_error if OpenSSL fails.
pkey_ptr generate(int type);

/// The 32-byte raw public key of `key`.
std::string raw_public(EVP_PKEY* key);

/// A key of `type` from its raw public bytes; nullptr if they are
/// malformed.
pkey_ptr public_from_raw(int type, std::string_view bytes);

} // namespace chat::openssl
