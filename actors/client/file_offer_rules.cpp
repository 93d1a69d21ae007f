#include "actors/client/file_offer_rules.hpp"

#include "actors/client/private_chat_keys.hpp"
#include "adapters/common/openssl_util.hpp"

#include <openssl/rand.h>

namespace chat {

std::string offer_payload(const file_offer& offer) {
  // Length-prefixed fields: no choice of name can shift one into another.
  std::string out = "chat-actors file offer 1";
  for (auto* field :
       {&offer.id, &offer.sender, &offer.receiver, &offer.name, &offer.sha256}) {
    out += '\n';
    out += std::to_string(field->size());
    out += ':';
    out += *field;
  }
  out += "\nsize:" + std::to_string(offer.size);
  return out;
}

file_offer sign_offer(file_offer offer, const ed25519_key& identity) {
  offer.signature = openssl::to_hex(identity.sign(offer_payload(offer)));
  return offer;
}

bool is_hex(const std::string& x, size_t n) {
  return x.size() == n && x.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string offer_problem(const file_offer& offer, const endpoint& entry,
                          const std::string& me) {
  if (offer.receiver != me)
    return "the offer is for " + offer.receiver + ", not for " + me;
  if (!is_hex(offer.id, 32))
    return "malformed transfer id";
  if (!is_hex(offer.sha256, 64))
    return "malformed SHA-256";
  if (entry.public_key.empty() || !vouched(offer.sender, entry) ||
      !tls_vouched(offer.sender, entry))
    return offer.sender + " has no identity key in the registry";
  if (offer.peer_cert.empty() || offer.peer_cert != entry.tls_cert)
    return "the offer did not come from " + offer.sender +
           "'s certificate (its registry entry names another)";
  std::string sig;
  if (!openssl::from_hex(offer.signature, sig) ||
      !ed25519_verify(entry.public_key, offer_payload(offer), sig))
    return "the offer is not signed by " + offer.sender + "'s identity key";
  return {};
}

std::string new_transfer_id() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof(raw)) != 1)
    throw std::runtime_error("no random bytes");
  return openssl::to_hex({reinterpret_cast<const char*>(raw), sizeof(raw)});
}

} // namespace chat
