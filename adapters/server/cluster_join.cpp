#include "adapters/server/cluster_join.hpp"

#include "adapters/common/openssl_util.hpp"
#include "adapters/common/session_crypto.hpp"
#include "adapters/common/tls.hpp"
#include "adapters/common/udp_exchange.hpp"
#include "adapters/server/server_secrets.hpp"
#include "config/errors.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace chat::cluster {

namespace {

using openssl::hmac_sha256;

/// One key per purpose, all from the secret.
std::string derive(std::string_view secret, std::string_view purpose) {
  return hmac_sha256(secret,
                     std::string{"chat-actors cluster v1 "} + std::string{purpose});
}

std::string request_mac(std::string_view secret, std::string_view nonce,
                        std::string_view node) {
  return openssl::to_hex(
      hmac_sha256(derive(secret, "join"), std::string{nonce} + "|" + std::string{node}));
}

std::string seal_nonce(std::string_view nonce) {
  // The request nonce is 16 random bytes (32 hex digits); the first 12 are
  // unique per request.
  std::string raw;
  openssl::from_hex(nonce, raw);
  raw.resize(aead_nonce_bytes, '\0');
  return raw;
}

std::string seal_aad(std::string_view nonce) {
  return "chat-actors cluster bundle|" + std::string{nonce};
}

bool plausible_nonce(std::string_view nonce) {
  std::string raw;
  return nonce.size() == 32 && openssl::from_hex(nonce, raw);
}

/// The files of `<state-dir>/secrets` a bundle carries, and where.
template <class Bundle> auto secret_files(Bundle& b) {
  return std::array{std::pair{"/secrets.conf", &b.secrets_conf},
                    std::pair{"/server.key", &b.key_pem},
                    std::pair{"/server.crt", &b.cert_pem}};
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

std::string erlang_cookie(std::string_view secret) {
  // Erlang cookies are atoms: upper-case hex keeps them plain.
  auto hex = openssl::to_hex(derive(secret, "erlang cookie")).substr(0, 40);
  for (auto& c : hex)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

std::string make_request(std::string_view secret, std::string_view nonce,
                         std::string_view node) {
  return std::string{join_prefix} + std::string{nonce} + ":" + std::string{node} + ":" +
         request_mac(secret, nonce, node);
}

std::optional<request> parse_request(std::string_view secret, std::string_view payload) {
  if (!payload.starts_with(join_prefix))
    return std::nullopt;
  auto parts = split(payload.substr(join_prefix.size()), ':');
  if (parts.size() != 3 || !plausible_nonce(parts[0]) || parts[1].empty() ||
      parts[1].size() > 64)
    return std::nullopt;
  request req{std::string{parts[0]}, std::string{parts[1]}, false};
  auto expected = request_mac(secret, req.nonce, req.node);
  req.authentic = openssl::same_bytes(parts[2], expected);
  return req;
}

std::string make_bundle_reply(std::string_view secret, std::string_view nonce,
                              const bundle& b) {
  auto sealed =
      aead_seal(derive(secret, "seal"), seal_nonce(nonce), seal_aad(nonce), encode(b));
  return std::string{bundle_prefix} + std::string{nonce} + ":" + openssl::to_hex(sealed);
}

std::string make_refusal(std::string_view nonce) {
  return std::string{refused_prefix} + std::string{nonce};
}

answer_kind parse_answer(std::string_view secret, std::string_view nonce,
                         std::string_view payload, bundle& out) {
  if (payload.starts_with(refused_prefix))
    return payload.substr(refused_prefix.size()) == nonce ? answer_kind::refused
                                                          : answer_kind::unrelated;
  if (!payload.starts_with(bundle_prefix))
    return answer_kind::unrelated;
  auto rest = payload.substr(bundle_prefix.size());
  if (!rest.starts_with(nonce) || rest.size() <= nonce.size() ||
      rest[nonce.size()] != ':')
    return answer_kind::unrelated;
  std::string sealed;
  if (!openssl::from_hex(rest.substr(nonce.size() + 1), sealed))
    return answer_kind::unrelated;
  auto text =
      aead_open(derive(secret, "seal"), seal_nonce(nonce), seal_aad(nonce), sealed);
  if (!text)
    return answer_kind::unrelated;
  auto b = decode(*text);
  if (!b)
    return answer_kind::unrelated;
  out = std::move(*b);
  return answer_kind::bundle;
}

std::string encode(const bundle& b) {
  std::string members;
  for (auto& m : b.members)
    members += (members.empty() ? "" : ",") + m;
  std::string text;
  auto put = [&text](std::string_view key, std::string_view value) {
    text += std::string{key} + "=" + openssl::to_hex(value) + "\n";
  };
  put("node", b.node);
  put("members", members);
  put("redis-master", b.redis_master);
  put("secrets-conf", b.secrets_conf);
  put("key-pem", b.key_pem);
  put("cert-pem", b.cert_pem);
  return text;
}

std::optional<bundle> decode(std::string_view text) {
  bundle b;
  std::string members;
  std::pair<std::string_view, std::string*> fields[] = {{"node", &b.node},
                                                        {"members", &members},
                                                        {"redis-master", &b.redis_master},
                                                        {"secrets-conf", &b.secrets_conf},
                                                        {"key-pem", &b.key_pem},
                                                        {"cert-pem", &b.cert_pem}};
  size_t seen = 0;
  for (auto line : split(text, '\n')) {
    if (line.empty())
      continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return std::nullopt;
    for (auto& [key, field] : fields)
      if (line.substr(0, eq) == key) {
        if (!openssl::from_hex(line.substr(eq + 1), *field))
          return std::nullopt;
        ++seen;
      }
  }
  if (seen != std::size(fields) || b.node.empty())
    return std::nullopt;
  for (auto m : split(members, ','))
    if (!m.empty())
      b.members.emplace_back(m);
  return b;
}

caf::expected<bundle> fetch_bundle(const std::string& host, uint16_t port,
                                   std::string_view secret, const std::string& node,
                                   caf::timespan timeout) {
  auto nonce = tls::random_hex(16);
  bundle b;
  bool refused = false;
  auto answered = udp_exchange(host, port, make_request(secret, nonce, node), timeout,
                               [&](std::string_view payload) {
                                 switch (parse_answer(secret, nonce, payload, b)) {
                                 case answer_kind::bundle:
                                   return true;
                                 case answer_kind::refused:
                                   // Not authenticated: a real bundle may
                                   // still come.
                                   refused = true;
                                   return false;
                                 case answer_kind::unrelated:
                                   return false;
                                 }
                                 return false;
                               });
  if (!answered)
    return make_error(errc::service_failed,
                      "cannot join " + host + ": " + describe(answered.error()));
  if (*answered)
    return b;
  if (refused)
    return make_error(errc::not_authentic, "the server node at " + host +
                                               " refused to let us join: wrong "
                                               "cluster secret (chat.cluster-secret)");
  return make_error(errc::service_failed,
                    "no server node answers at " + host + ":" + std::to_string(port) +
                        " (is `chat-actors server` running there, in cluster mode?)");
}

caf::expected<bundle> local_bundle(const std::string& state_dir, std::string node,
                                   std::vector<std::string> members,
                                   std::string redis_master) {
  // Only reads: the node created its secrets at start, and a join request
  // must not rewrite them.
  bundle b;
  b.node = std::move(node);
  b.members = std::move(members);
  b.redis_master = std::move(redis_master);
  for (auto [file, text] : secret_files(b)) {
    *text = read_file(state_dir + "/secrets" + file);
    if (text->empty())
      return make_error(errc::service_failed,
                        "cannot hand out the cluster's secrets: no " + state_dir +
                            "/secrets" + file);
  }
  return b;
}

caf::error install_secrets(const std::string& state_dir, const bundle& b) {
  namespace fs = std::filesystem;
  auto dir = state_dir + "/secrets";
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  for (auto [file, text] : secret_files(b))
    if (auto err = write_private_file(dir + file, *text))
      return err;
  return {};
}

} // namespace chat::cluster
