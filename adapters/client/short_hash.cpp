#include "adapters/client/short_hash.hpp"

#include "adapters/common/sodium_ready.hpp"

#include <sodium.h>

#include <cstring>

namespace chat {

short_hasher::short_hasher() {
  static_assert(sizeof(key_) == crypto_shorthash_KEYBYTES);
  require_sodium();
  crypto_shorthash_keygen(key_.data());
}

uint64_t short_hasher::operator()(std::string_view text) const {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                   key_.data());
  uint64_t result;
  static_assert(sizeof(out) == sizeof(result));
  std::memcpy(&result, out, sizeof(result));
  return result;
}

} // namespace chat
