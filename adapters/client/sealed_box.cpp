#include "adapters/client/sealed_box.hpp"

#include "adapters/common/openssl_util.hpp"
#include "adapters/common/sodium_ready.hpp"

#include <sodium.h>

namespace chat {

namespace {

const unsigned char* bytes_of(std::string_view x) {
  return reinterpret_cast<const unsigned char*>(x.data());
}

/// Wipes a secret when it goes out of scope, however the function ends.
template <size_t N> struct secret_bytes {
  unsigned char data[N];
  ~secret_bytes() { sodium_memzero(data, N); }
};

} // namespace

std::optional<std::string> seal_to(std::string_view recipient_hex,
                                   std::string_view plain) {
  require_sodium();
  std::string ed_pub;
  if (!openssl::from_hex(recipient_hex, ed_pub) ||
      ed_pub.size() != crypto_sign_PUBLICKEYBYTES)
    return std::nullopt;
  unsigned char x_pub[crypto_box_PUBLICKEYBYTES];
  if (crypto_sign_ed25519_pk_to_curve25519(x_pub, bytes_of(ed_pub)) != 0)
    return std::nullopt;
  std::string box(plain.size() + crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal(reinterpret_cast<unsigned char*>(box.data()), bytes_of(plain),
                      plain.size(), x_pub) != 0)
    return std::nullopt;
  return box;
}

std::optional<std::string> open_sealed(const ed25519_key& identity,
                                       std::string_view box) {
  require_sodium();
  if (box.size() < crypto_box_SEALBYTES)
    return std::nullopt;
  auto seed = identity.private_bytes();
  unsigned char ed_pub[crypto_sign_PUBLICKEYBYTES];
  secret_bytes<crypto_sign_SECRETKEYBYTES> ed_secret;
  auto made = crypto_sign_seed_keypair(ed_pub, ed_secret.data, bytes_of(seed));
  sodium_memzero(seed.data(), seed.size());
  if (made != 0)
    return std::nullopt;
  unsigned char x_pub[crypto_box_PUBLICKEYBYTES];
  secret_bytes<crypto_box_SECRETKEYBYTES> x_secret;
  if (crypto_sign_ed25519_pk_to_curve25519(x_pub, ed_pub) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519(x_secret.data, ed_secret.data) != 0)
    return std::nullopt;
  std::string plain(box.size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), bytes_of(box),
                           box.size(), x_pub, x_secret.data) != 0)
    return std::nullopt;
  return plain;
}

} // namespace chat
