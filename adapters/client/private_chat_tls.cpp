#include "adapters/client/private_chat_tls.hpp"

#include "adapters/common/openssl_util.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace chat {

namespace {

template <class T, void (*F)(T*)> struct deleter {
  void operator()(T* x) const { F(x); }
};
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  auto n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string{data, static_cast<size_t>(n)} : std::string{};
}

std::string digest_hex(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1)
    return {};
  return openssl::to_hex({reinterpret_cast<const char*>(md), len});
}

} // namespace

std::shared_ptr<const tls_identity>
tls_identity::generate(const std::string& common_name) {
  auto fail = [](const char* what) {
    throw std::runtime_error(std::string{"cannot make the private-chat certificate: "} +
                             what);
  };
  openssl::pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  if (!key)
    fail("key generation");
  auto cert = openssl::self_signed(key.get(), common_name, 30L * 24 * 3600);
  if (!cert)
    fail("certificate");
  bio_ptr cert_out{BIO_new(BIO_s_mem())};
  bio_ptr key_out{BIO_new(BIO_s_mem())};
  if (!cert_out || !key_out || PEM_write_bio_X509(cert_out.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1)
    fail("PEM");
  auto result = std::make_shared<tls_identity>();
  result->cert_pem = bio_text(cert_out.get());
  result->key_pem = bio_text(key_out.get());
  result->fingerprint = digest_hex(cert.get());
  if (result->fingerprint.empty())
    fail("digest");
  return result;
}

std::string pem_fingerprint(std::string_view pem) {
  // Runs for every incoming call: the DER is base64-decoded and hashed
  // directly (a few µs), where parsing it (PEM_read_bio_X509 or d2i_X509)
  // and X509_digest took ~160 µs with OpenSSL 3. No parse is needed: gRPC
  // parsed it in the handshake, and bytes that are not the certificate a
  // peer published cannot hash to its fingerprint.
  constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view end = "-----END CERTIFICATE-----";
  auto from = pem.find(begin);
  auto to = from == std::string_view::npos ? from : pem.find(end, from);
  if (to == std::string_view::npos)
    return {};
  std::string b64;
  for (auto c : pem.substr(from + begin.size(), to - from - begin.size()))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t')
      b64 += c;
  if (b64.empty() || b64.size() % 4 != 0)
    return {};
  std::string der(b64.size() / 4 * 3, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                           reinterpret_cast<const unsigned char*>(b64.data()),
                           static_cast<int>(b64.size()));
  if (n < 0)
    return {};
  auto pad = static_cast<size_t>(b64.back() == '=') + (b64[b64.size() - 2] == '=');
  der.resize(static_cast<size_t>(n) - pad);
  // A DER certificate is a SEQUENCE (0x30); anything else is not one.
  if (der.size() < 2 || der[0] != '\x30')
    return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr) != 1)
    return {};
  return openssl::to_hex({reinterpret_cast<const char*>(md), len});
}

} // namespace chat
