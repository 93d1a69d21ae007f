#include "adapters/common/ed25519.hpp"

#include "adapters/common/openssl_util.hpp"
#include "adapters/common/sodium_ready.hpp"

#include <sodium.h>

#include <stdexcept>

namespace chat {

namespace {

static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_PUBLICKEYBYTES == 32 &&
              crypto_sign_BYTES == 64);

const unsigned char* bytes_of(std::string_view x) {
  return reinterpret_cast<const unsigned char*>(x.data());
}

std::string text_of(const unsigned char* data, size_t size) {
  return std::string{reinterpret_cast<const char*>(data), size};
}

} // namespace

/// libsodium's secret key: the 32-byte seed (what OpenSSL calls the raw
/// private key, and what the identity store keeps) and the public key.
struct ed25519_key::impl {
  unsigned char secret[crypto_sign_SECRETKEYBYTES];
  ~impl() { sodium_memzero(secret, sizeof(secret)); }
};

ed25519_key::~ed25519_key() = default;

std::shared_ptr<const ed25519_key> ed25519_key::generate() {
  require_sodium();
  unsigned char seed[crypto_sign_SEEDBYTES];
  randombytes_buf(seed, sizeof(seed));
  auto result =
      from_private(std::string_view{reinterpret_cast<char*>(seed), sizeof(seed)});
  sodium_memzero(seed, sizeof(seed));
  return result;
}

std::shared_ptr<const ed25519_key> ed25519_key::from_private(std::string_view raw) {
  require_sodium();
  if (raw.size() != crypto_sign_SEEDBYTES)
    return nullptr;
  std::shared_ptr<ed25519_key> result{new ed25519_key};
  result->impl_ = std::make_unique<impl>();
  unsigned char pub[crypto_sign_PUBLICKEYBYTES];
  if (crypto_sign_seed_keypair(pub, result->impl_->secret, bytes_of(raw)) != 0)
    return nullptr;
  result->public_hex_ = openssl::to_hex(text_of(pub, sizeof(pub)));
  return result;
}

std::string ed25519_key::private_bytes() const {
  unsigned char seed[crypto_sign_SEEDBYTES];
  crypto_sign_ed25519_sk_to_seed(seed, impl_->secret);
  auto result = text_of(seed, sizeof(seed));
  sodium_memzero(seed, sizeof(seed));
  return result;
}

std::string ed25519_key::sign(std::string_view data) const {
  unsigned char sig[crypto_sign_BYTES];
  if (crypto_sign_detached(sig, nullptr, bytes_of(data), data.size(), impl_->secret) != 0)
    throw std::runtime_error("cannot sign with Ed25519");
  return text_of(sig, sizeof(sig));
}

bool ed25519_verify(std::string_view public_hex, std::string_view data,
                    std::string_view signature) {
  require_sodium();
  std::string pub;
  if (!openssl::from_hex(public_hex, pub) || pub.size() != crypto_sign_PUBLICKEYBYTES ||
      signature.size() != crypto_sign_BYTES)
    return false;
  return crypto_sign_verify_detached(bytes_of(signature), bytes_of(data), data.size(),
                                     bytes_of(pub)) == 0;
}

} // namespace chat
