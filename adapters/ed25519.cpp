#include "adapters/ed25519.hpp"

#include "adapters/openssl_util.hpp"

#include <stdexcept>

namespace chat {

namespace {

constexpr size_t key_bytes = 32;
constexpr size_t signature_bytes = 64;

const unsigned char* bytes_of(std::string_view x) {
  return reinterpret_cast<const unsigned char*>(x.data());
}

} // namespace

struct ed25519_key::impl {
  openssl::pkey_ptr key;
};

ed25519_key::~ed25519_key() = default;

std::shared_ptr<const ed25519_key> ed25519_key::generate() {
  std::shared_ptr<ed25519_key> result{new ed25519_key};
  result->impl_ = std::make_unique<impl>();
  result->impl_->key = openssl::generate(EVP_PKEY_ED25519);
  result->public_hex_ = openssl::to_hex(openssl::raw_public(result->impl_->key.get()));
  return result;
}

std::shared_ptr<const ed25519_key> ed25519_key::from_private(std::string_view raw) {
  if (raw.size() != key_bytes)
    return nullptr;
  auto key = openssl::private_from_raw(EVP_PKEY_ED25519, raw);
  if (!key)
    return nullptr;
  std::shared_ptr<ed25519_key> result{new ed25519_key};
  result->impl_ = std::make_unique<impl>();
  result->impl_->key = std::move(key);
  result->public_hex_ = openssl::to_hex(openssl::raw_public(result->impl_->key.get()));
  return result;
}

std::string ed25519_key::private_bytes() const {
  return openssl::raw_private(impl_->key.get());
}

std::string ed25519_key::sign(std::string_view data) const {
  openssl::md_ctx_ptr ctx{EVP_MD_CTX_new()};
  unsigned char sig[signature_bytes];
  size_t len = sizeof(sig);
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, bytes_of(data), data.size()) != 1)
    throw std::runtime_error("cannot sign with Ed25519");
  return std::string{reinterpret_cast<char*>(sig), len};
}

bool ed25519_verify(std::string_view public_hex, std::string_view data,
                    std::string_view signature) {
  std::string pub;
  if (!openssl::from_hex(public_hex, pub) || pub.size() != key_bytes ||
      signature.size() != signature_bytes)
    return false;
  auto key = openssl::public_from_raw(EVP_PKEY_ED25519, pub);
  openssl::md_ctx_ptr ctx{EVP_MD_CTX_new()};
  if (!key || !ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(),
                          bytes_of(data), data.size()) == 1;
}

} // namespace chat
