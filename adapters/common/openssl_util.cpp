#include "adapters/common/openssl_util.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace chat::openssl {

namespace {

const unsigned char* bytes_of(std::string_view x) {
  return reinterpret_cast<const unsigned char*>(x.data());
}

} // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = sizeof(out);
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool same_bytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string result;
  result.reserve(bytes.size() * 2);
  for (auto c : bytes) {
    auto b = static_cast<unsigned char>(c);
    result += digits[b >> 4];
    result += digits[b & 0x0F];
  }
  return result;
}

bool from_hex(std::string_view hex, std::string& out) {
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
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto hi = nibble(hex[i]);
    auto lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

pkey_ptr generate(int type) {
  EVP_PKEY* raw = nullptr;
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_id(type, nullptr)};
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    throw std::runtime_error("cannot generate a key pair");
  return pkey_ptr{raw};
}

std::string raw_public(EVP_PKEY* key) {
  std::string result(32, '\0');
  size_t len = result.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(result.data()),
                                  &len) != 1)
    throw std::runtime_error("cannot read a public key");
  result.resize(len);
  return result;
}

pkey_ptr public_from_raw(int type, std::string_view bytes) {
  return pkey_ptr{
      EVP_PKEY_new_raw_public_key(type, nullptr, bytes_of(bytes), bytes.size())};
}

x509_ptr self_signed(EVP_PKEY* key, const std::string& common_name,
                     long validity_seconds) {
  x509_ptr cert{X509_new()};
  BIGNUM* serial = BN_new();
  bool ok = cert && serial &&
            BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            X509_set_version(cert.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  if (!ok)
    return nullptr;
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds);
  X509_set_pubkey(cert.get(), key);
  auto name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0)
    return nullptr;
  return cert;
}

} // namespace chat::openssl
