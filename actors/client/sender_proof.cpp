#include "actors/client/sender_proof.hpp"

#include "actors/client/private_chat_rules.hpp"
#include "adapters/common/openssl_util.hpp"

namespace chat {

namespace {

std::string payload(const signed_fields& f) {
  return private_chat::framed("chat-actors/broadcast/v1",
                              {f.chat, f.sender, f.message_id, f.text});
}

} // namespace

std::string sender_proof::sign(const signed_fields& fields) const {
  return openssl::to_hex(identity->sign(payload(fields)));
}

bool sender_proof::valid(const std::string& key, const signed_fields& fields,
                         std::string_view signature) {
  std::string raw;
  return !key.empty() && openssl::from_hex(signature, raw) &&
         ed25519_verify(key, payload(fields), raw);
}

std::string sender_proof::known_key(const std::string& self,
                                    const std::string& sender) const {
  if (sender == self)
    return identity->public_hex();
  return pins ? pins->pinned(sender) : std::string{};
}

} // namespace chat
