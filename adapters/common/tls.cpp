#include "adapters/common/tls.hpp"

#include "adapters/common/openssl_util.hpp"
#include "config/errors.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::tls {

namespace {

template <class T, void (*Free)(T*)> struct deleter {
  void operator()(T* x) const { Free(x); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using openssl::x509_ptr;

caf::error failed(const std::string& what) {
  return make_error(errc::service_failed, what);
}

/// fopen for writing with mode 0600 from the start (no window in which the
/// file is readable by others).
FILE* open_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return nullptr;
  fchmod(fd, 0600);
  return fdopen(fd, "w");
}

std::optional<fingerprint> digest_of(X509* cert) {
  fingerprint fp{};
  unsigned len = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), fp.data(), &len) != 1 ||
      len != fp.size())
    return std::nullopt;
  return fp;
}

int verify_pinned(X509_STORE_CTX* ctx, void* arg) {
  auto p = static_cast<pin*>(arg);
  p->presented = digest_of(X509_STORE_CTX_get0_cert(ctx));
  if (p->presented && same_fingerprint(*p->presented, p->expected)) {
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_REJECTED);
  return 0;
}

} // namespace

std::string random_hex(size_t n) {
  std::vector<unsigned char> bytes(n);
  if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("no randomness from OpenSSL");
  constexpr const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

caf::error make_self_signed(const std::string& key_file, const std::string& cert_file,
                            const std::string& common_name) {
  pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  if (!key)
    return failed("cannot generate the TLS key");
  auto cert = openssl::self_signed(key.get(), common_name, 10L * 365 * 24 * 3600);
  if (!cert)
    return failed("cannot sign the TLS certificate");
  auto key_out = open_private(key_file);
  if (key_out == nullptr)
    return failed("cannot write " + key_file);
  bool ok = PEM_write_PrivateKey(key_out, key.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr) == 1;
  ok = fclose(key_out) == 0 && ok;
  auto cert_out = open_private(cert_file);
  if (!ok || cert_out == nullptr)
    return failed("cannot write " + (ok ? cert_file : key_file));
  ok = PEM_write_X509(cert_out, cert.get()) == 1;
  ok = fclose(cert_out) == 0 && ok;
  if (!ok)
    return failed("cannot write " + cert_file);
  return {};
}

caf::expected<fingerprint> file_fingerprint(const std::string& cert_file) {
  auto in = fopen(cert_file.c_str(), "r");
  if (in == nullptr)
    return failed("cannot read " + cert_file);
  x509_ptr cert{PEM_read_X509(in, nullptr, nullptr, nullptr)};
  fclose(in);
  auto fp = digest_of(cert.get());
  if (!fp)
    return failed("no certificate in " + cert_file);
  return *fp;
}

std::string rabbit_password_hash(const std::string& password) {
  unsigned char salt[4];
  RAND_bytes(salt, sizeof(salt));
  std::string salted(reinterpret_cast<char*>(salt), sizeof(salt));
  salted += password;
  unsigned char digest[32];
  unsigned len = 0;
  EVP_Digest(salted.data(), salted.size(), digest, &len, EVP_sha256(), nullptr);
  std::vector<unsigned char> raw(salt, salt + sizeof(salt));
  raw.insert(raw.end(), digest, digest + len);
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), raw.data(),
                           static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

void pin_certificate(void* ssl_ctx, pin* p) {
  auto ctx = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, verify_pinned, p);
}

} // namespace chat::tls
