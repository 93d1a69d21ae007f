#include "adapters/ed25519.hpp"

#include <openssl/evp.h>

#include <stdexcept>
#include <vector>

namespace chat {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* x) const { EVP_PKEY_free(x); }
};
struct md_ctx_free {
  void operator()(EVP_MD_CTX* x) const { EVP_MD_CTX_free(x); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;

constexpr size_t key_bytes = 32;
constexpr size_t signature_bytes = 64;

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string result;
  for (size_t i = 0; i < size; ++i) {
    result += digits[data[i] >> 4];
    result += digits[data[i] & 0x0F];
  }
  return result;
}

bool from_hex(std::string_view hex, std::vector<unsigned char>& out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0)
    return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto hi = nibble(hex[i]);
    auto lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return true;
}

} // namespace

struct ed25519_key::impl {
  pkey_ptr key;
};

ed25519_key::~ed25519_key() = default;

std::shared_ptr<const ed25519_key> ed25519_key::generate() {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx{
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free};
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    throw std::runtime_error("cannot generate an Ed25519 key");
  std::shared_ptr<ed25519_key> result{new ed25519_key};
  result->impl_ = std::make_unique<impl>();
  result->impl_->key.reset(raw);
  unsigned char pub[key_bytes];
  size_t len = sizeof(pub);
  if (EVP_PKEY_get_raw_public_key(raw, pub, &len) != 1 || len != key_bytes)
    throw std::runtime_error("cannot read an Ed25519 public key");
  result->public_hex_ = to_hex(pub, len);
  return result;
}

std::string ed25519_key::sign(std::string_view data) const {
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  unsigned char sig[signature_bytes];
  size_t len = sizeof(sig);
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    throw std::runtime_error("cannot sign with Ed25519");
  return std::string{reinterpret_cast<char*>(sig), len};
}

bool ed25519_verify(std::string_view public_hex, std::string_view data,
                    std::string_view signature) {
  std::vector<unsigned char> pub;
  if (!from_hex(public_hex, pub) || pub.size() != key_bytes ||
      signature.size() != signature_bytes)
    return false;
  pkey_ptr key{
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size())};
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  if (!key || !ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    return false;
  return EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
             data.size()) == 1;
}

} // namespace chat
