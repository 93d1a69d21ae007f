#include "adapters/common/session_crypto.hpp"

#include "adapters/common/openssl_util.hpp"

#include <openssl/kdf.h>

#include <stdexcept>

namespace chat {

namespace {

constexpr size_t key_bytes = 32;

const unsigned char* bytes_of(std::string_view x) {
  return reinterpret_cast<const unsigned char*>(x.data());
}

unsigned char* bytes_of(std::string& x) {
  return reinterpret_cast<unsigned char*>(x.data());
}

std::string hkdf_sha256(std::string_view secret, std::string_view info) {
  openssl::pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr)};
  std::string out(key_bytes, '\0');
  size_t len = out.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), bytes_of(secret),
                                 static_cast<int>(secret.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), bytes_of(info),
                                  static_cast<int>(info.size())) != 1 ||
      EVP_PKEY_derive(ctx.get(), bytes_of(out), &len) != 1 || len != key_bytes)
    return {};
  return out;
}

} // namespace

struct x25519_key::impl {
  openssl::pkey_ptr key;
};

x25519_key::~x25519_key() = default;

std::shared_ptr<const x25519_key> x25519_key::generate() {
  std::shared_ptr<x25519_key> result{new x25519_key};
  result->impl_ = std::make_unique<impl>();
  result->impl_->key = openssl::generate(EVP_PKEY_X25519);
  result->public_hex_ = openssl::to_hex(openssl::raw_public(result->impl_->key.get()));
  return result;
}

std::string x25519_key::derive(std::string_view peer_public_hex,
                               std::string_view context) const {
  std::string raw;
  if (!openssl::from_hex(peer_public_hex, raw) || raw.size() != key_bytes)
    return {};
  auto peer = openssl::public_from_raw(EVP_PKEY_X25519, raw);
  openssl::pkey_ctx_ptr ctx{EVP_PKEY_CTX_new(impl_->key.get(), nullptr)};
  std::string secret(key_bytes, '\0');
  size_t len = secret.size();
  // OpenSSL refuses an all-zero result, i.e. a low-order peer key.
  if (!peer || !ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), bytes_of(secret), &len) != 1 || len != key_bytes)
    return {};
  return hkdf_sha256(secret, context);
}

std::string aead_seal(std::string_view key, std::string_view nonce, std::string_view aad,
                      std::string_view plaintext) {
  openssl::cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  std::string out(plaintext.size() + aead_tag_bytes, '\0');
  int len = 0;
  int total = 0;
  if (key.size() != key_bytes || nonce.size() != aead_nonce_bytes || !ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, bytes_of(key),
                         bytes_of(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes_of(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes_of(out), &len, bytes_of(plaintext),
                        static_cast<int>(plaintext.size())) != 1)
    throw std::runtime_error("cannot seal a message");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), bytes_of(out) + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG,
                          static_cast<int>(aead_tag_bytes),
                          bytes_of(out) + total + len) != 1)
    throw std::runtime_error("cannot seal a message");
  return out;
}

std::optional<std::string> aead_open(std::string_view key, std::string_view nonce,
                                     std::string_view aad, std::string_view sealed) {
  if (key.size() != key_bytes || nonce.size() != aead_nonce_bytes ||
      sealed.size() < aead_tag_bytes)
    return std::nullopt;
  auto body = sealed.substr(0, sealed.size() - aead_tag_bytes);
  std::string tag{sealed.substr(body.size())};
  openssl::cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  std::string out(body.size(), '\0');
  int len = 0;
  int total = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, bytes_of(key),
                         bytes_of(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes_of(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes_of(out), &len, bytes_of(body),
                        static_cast<int>(body.size())) != 1)
    return std::nullopt;
  total = len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG,
                          static_cast<int>(aead_tag_bytes), bytes_of(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), bytes_of(out) + total, &len) != 1)
    return std::nullopt;
  out.resize(static_cast<size_t>(total + len));
  return out;
}

} // namespace chat
