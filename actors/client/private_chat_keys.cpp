#include "actors/client/private_chat_keys.hpp"

#include "actors/client/private_chat_rules.hpp"
#include "adapters/common/openssl_util.hpp"

namespace chat {

session_keys session_keys::ephemeral() {
  return {ed25519_key::generate(), x25519_key::generate(),
          tls_identity::generate("chat-actors")};
}

endpoint session_keys::publish(const std::string& name, endpoint ep) const {
  ep.public_key = identity->public_hex();
  ep.session_key = session->public_hex();
  ep.session_key_sig = openssl::to_hex(identity->sign(
      private_chat::session_key_payload(name, ep.public_key, ep.session_key)));
  if (tls) {
    ep.tls_cert = tls->fingerprint;
    ep.tls_sig = openssl::to_hex(identity->sign(private_chat::tls_cert_payload(
        name, ep.public_key, ep.session_key, ep.tls_cert)));
  }
  return ep;
}

bool tls_vouched(const std::string& name, const endpoint& ep) {
  std::string sig;
  return !ep.public_key.empty() && !ep.tls_cert.empty() &&
         openssl::from_hex(ep.tls_sig, sig) &&
         ed25519_verify(ep.public_key,
                        private_chat::tls_cert_payload(name, ep.public_key,
                                                       ep.session_key, ep.tls_cert),
                        sig);
}

bool vouched(const std::string& name, const endpoint& ep) {
  std::string sig;
  return !ep.public_key.empty() && !ep.session_key.empty() &&
         openssl::from_hex(ep.session_key_sig, sig) &&
         ed25519_verify(
             ep.public_key,
             private_chat::session_key_payload(name, ep.public_key, ep.session_key), sig);
}

std::string key_fingerprint(std::string_view key_hex) {
  std::string result;
  for (size_t i = 0; i < 16 && i < key_hex.size(); i += 4) {
    if (!result.empty())
      result += ' ';
    result += key_hex.substr(i, 4);
  }
  return result.empty() ? std::string{"(none)"} : result + " …";
}

std::string full_key_fingerprint(std::string_view key_hex) {
  std::string result;
  for (size_t i = 0; i < key_hex.size(); i += 4) {
    if (!result.empty())
      result += ' ';
    result += key_hex.substr(i, 4);
  }
  return result.empty() ? std::string{"(none: an original client)"} : result;
}

std::optional<pair_key> pair_key::derive(const x25519_key& mine, std::string_view my_name,
                                         std::string_view peer_name,
                                         std::string_view peer_session_key) {
  pair_key result;
  result.mine_ = mine.public_hex();
  result.peer_ = peer_session_key;
  result.key_ =
      mine.derive(peer_session_key, private_chat::pair_context(my_name, result.mine_,
                                                               peer_name, result.peer_));
  if (result.key_.empty())
    return std::nullopt;
  return result;
}

std::string pair_key::seal(std::string_view sender, std::string_view receiver,
                           uint64_t seq, std::string_view text) const {
  return private_chat::base64_encode(
      aead_seal(key_, private_chat::message_nonce(mine_, peer_, seq),
                private_chat::message_aad(sender, receiver, seq), text));
}

std::optional<std::string> pair_key::open(std::string_view sender,
                                          std::string_view receiver, uint64_t seq,
                                          std::string_view sealed) const {
  auto bytes = private_chat::base64_decode(sealed);
  if (!bytes)
    return std::nullopt;
  return aead_open(key_, private_chat::message_nonce(peer_, mine_, seq),
                   private_chat::message_aad(sender, receiver, seq), *bytes);
}

} // namespace chat
