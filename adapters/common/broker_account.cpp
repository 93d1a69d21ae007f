#include "adapters/common/broker_account.hpp"

#include "adapters/common/openssl_util.hpp"
#include "adapters/common/tls.hpp"
#include "adapters/common/udp_exchange.hpp"
#include "config/errors.hpp"

#include <array>

namespace chat::broker_account {

namespace {

constexpr std::string_view version = "chat-actors broker account v1";

bool is_hex(std::string_view text, size_t bytes) {
  std::string raw;
  return text.size() == 2 * bytes && openssl::from_hex(text, raw);
}

/// What the identity key signs: every field before the signature.
std::string signed_part(std::string_view nonce, std::string_view name,
                        std::string_view identity, std::string_view ephemeral) {
  std::string text{version};
  for (auto field : {nonce, name, identity, ephemeral})
    text.append("|").append(field);
  return text;
}

std::string member_mac(std::string_view member_password, std::string_view signed_text,
                       std::string_view signature_hex) {
  auto key = openssl::hmac_sha256(member_password, version);
  return openssl::to_hex(openssl::hmac_sha256(key, std::string{signed_text} + "|" +
                                                       std::string{signature_hex}));
}

/// Both sides' HKDF context: the seal is useless for another request.
std::string seal_context(std::string_view nonce, std::string_view name,
                         std::string_view identity) {
  return signed_part(nonce, name, identity, "grant");
}

std::string seal_nonce(std::string_view nonce) {
  std::string raw;
  openssl::from_hex(nonce, raw);
  raw.resize(aead_nonce_bytes, '\0');
  return raw;
}

constexpr std::array refusal_names{
    std::pair{refusal::not_member, "not-member"},
    std::pair{refusal::bad_signature, "bad-signature"},
    std::pair{refusal::name_bound, "name-bound"},
    std::pair{refusal::reserved_name, "reserved-name"},
    std::pair{refusal::unavailable, "unavailable"},
};

std::string explain(refusal why, std::string_view host, std::string_view name) {
  auto n = std::string{name};
  switch (why) {
  case refusal::not_member:
    return "the server at " + std::string{host} +
           " does not accept this join code any more (ask its operator for the "
           "current one: chat-actors server --show-join-code)";
  case refusal::bad_signature:
    return "the server at " + std::string{host} + " did not accept the signature of " +
           n + "'s identity key";
  case refusal::name_bound:
    return "the name " + n + " belongs to another identity key on this server (its " +
           "broker account is bound to that key); use the machine that holds " + n +
           "'s key, or ask the server's operator to run `chat-actors server "
           "--forget-user=" +
           n + "`";
  case refusal::reserved_name:
    return "the name " + n + " is reserved (`who` + 6 hex digits: chat-actors who)";
  case refusal::unavailable:
    break;
  }
  return "the server at " + std::string{host} +
         " could not create a broker account for " + n + " (its log says why)";
}

} // namespace

std::string_view to_string(refusal why) {
  for (auto& [r, text] : refusal_names)
    if (r == why)
      return text;
  return "unavailable";
}

std::string broker_user(std::string_view name) {
  return "user:" + std::string{name};
}

bool is_throwaway_name(std::string_view name) {
  return name.size() == 9 && name.starts_with("who") && is_hex(name.substr(3), 3);
}

std::string make_throwaway_name() {
  return "who" + tls::random_hex(3);
}

std::string account_password(std::string_view account_secret, std::string_view name,
                             std::string_view identity_hex) {
  return openssl::to_hex(openssl::hmac_sha256(
      account_secret, signed_part("password", name, identity_hex, "")));
}

std::string make_request(std::string_view member_password, std::string_view name,
                         const ed25519_key& identity, const x25519_key& ephemeral,
                         std::string_view nonce) {
  auto text = signed_part(nonce, name, identity.public_hex(), ephemeral.public_hex());
  auto sig = openssl::to_hex(identity.sign(text));
  return std::string{request_prefix} + std::string{nonce} + ":" + std::string{name} +
         ":" + identity.public_hex() + ":" + ephemeral.public_hex() + ":" + sig + ":" +
         member_mac(member_password, text, sig);
}

std::optional<request> parse_request(std::string_view member_password,
                                     std::string_view payload) {
  if (!payload.starts_with(request_prefix))
    return std::nullopt;
  auto parts = split(payload.substr(request_prefix.size()), ':');
  // The name is checked by the caller (actors/common/names.hpp).
  if (parts.size() != 6 || !is_hex(parts[0], 16) || parts[1].empty() ||
      parts[1].size() > 64 || !is_hex(parts[2], 32) || !is_hex(parts[3], 32) ||
      !is_hex(parts[4], 64) || !is_hex(parts[5], 32))
    return std::nullopt;
  request req;
  req.nonce = parts[0];
  req.name = parts[1];
  req.identity = parts[2];
  req.ephemeral = parts[3];
  auto text = signed_part(req.nonce, req.name, req.identity, req.ephemeral);
  req.member = openssl::same_bytes(parts[5], member_mac(member_password, text, parts[4]));
  std::string sig;
  openssl::from_hex(parts[4], sig);
  req.signed_by_identity = ed25519_verify(req.identity, text, sig);
  return req;
}

std::string make_grant(const request& req, std::string_view user,
                       std::string_view password) {
  auto ours = x25519_key::generate();
  auto key = ours->derive(req.ephemeral, seal_context(req.nonce, req.name, req.identity));
  auto sealed = aead_seal(key, seal_nonce(req.nonce), req.name,
                          std::string{user} + "\n" + std::string{password});
  return std::string{granted_prefix} + req.nonce + ":" + ours->public_hex() + ":" +
         openssl::to_hex(sealed);
}

std::string make_refusal(std::string_view nonce, refusal why) {
  return std::string{refused_prefix} + std::string{nonce} + ":" +
         std::string{to_string(why)};
}

answer parse_answer(std::string_view payload, std::string_view nonce,
                    std::string_view name, std::string_view identity_hex,
                    const x25519_key& ephemeral) {
  answer result;
  if (payload.starts_with(refused_prefix)) {
    auto parts = split(payload.substr(refused_prefix.size()), ':');
    if (parts.size() != 2 || parts[0] != nonce)
      return result;
    result.what = answer::refused;
    for (auto& [r, text] : refusal_names)
      if (parts[1] == text)
        result.why = r;
    return result;
  }
  if (!payload.starts_with(granted_prefix))
    return result;
  auto parts = split(payload.substr(granted_prefix.size()), ':');
  std::string sealed;
  if (parts.size() != 3 || parts[0] != nonce || !is_hex(parts[1], 32) ||
      !openssl::from_hex(parts[2], sealed))
    return result;
  auto key = ephemeral.derive(parts[1], seal_context(nonce, name, identity_hex));
  if (key.empty())
    return result;
  auto text = aead_open(key, seal_nonce(nonce), name, sealed);
  if (!text)
    return result;
  auto nl = text->find('\n');
  if (nl == std::string::npos)
    return result;
  result.what = answer::granted;
  result.account = {text->substr(0, nl), text->substr(nl + 1)};
  return result;
}

caf::expected<credentials> fetch(const std::vector<std::string>& hosts, uint16_t port,
                                 std::string_view member_password, std::string_view name,
                                 const ed25519_key& identity, caf::timespan timeout) {
  std::optional<std::pair<std::string, refusal>> refused;
  std::string unreachable;
  for (auto& host : hosts) {
    auto ephemeral = x25519_key::generate();
    auto nonce = tls::random_hex(16);
    auto req = make_request(member_password, name, identity, *ephemeral, nonce);
    answer got;
    auto answered = udp_exchange(host, port, req, timeout, [&](std::string_view payload) {
      got = parse_answer(payload, nonce, name, identity.public_hex(), *ephemeral);
      // A refusal is not authenticated, but only someone on the path
      // sees the nonce, and such a one can drop our datagrams anyway.
      return got.what != answer::unrelated;
    });
    if (answered && *answered && got.what == answer::granted)
      return got.account;
    if (answered && *answered) {
      refused = std::pair{host, got.why};
      continue;
    }
    if (unreachable.empty())
      unreachable = host + ":" + std::to_string(port);
  }
  if (refused) {
    auto code = refused->second == refusal::name_bound      ? errc::name_taken
                : refused->second == refusal::reserved_name ? errc::invalid_name
                                                            : errc::not_authentic;
    return make_error(code, explain(refused->second, refused->first, name));
  }
  return make_error(errc::service_failed, "no broker account for " + std::string{name} +
                                              ": the server's LAN locator (udp " +
                                              unreachable + ") does not answer");
}

} // namespace chat::broker_account
