#include "actors/common/locator_protocol.hpp"

#include "adapters/common/openssl_util.hpp"

#include <arpa/inet.h>

namespace chat::locator {

namespace {

bool is_dotted_quad(const std::string& ip) {
  in_addr parsed{};
  return ip.size() <= 15 && inet_pton(AF_INET, ip.c_str(), &parsed) == 1;
}

bool plausible_nonce(std::string_view nonce) {
  std::string raw;
  return nonce.size() == 32 && openssl::from_hex(nonce, raw);
}

std::string reply_mac(std::string_view key, std::string_view ip, std::string_view nonce) {
  return openssl::to_hex(
      openssl::hmac_sha256(key, std::string{nonce} + "|" + std::string{ip}));
}

} // namespace

std::optional<std::string> parse_reply(std::string_view payload) {
  if (!payload.starts_with(reply_prefix))
    return std::nullopt;
  std::string ip{payload.substr(reply_prefix.size())};
  if (!is_dotted_quad(ip))
    return std::nullopt;
  return ip;
}

std::string reply_key(std::string_view member_password) {
  return openssl::hmac_sha256(member_password, "chat-actors locator v1");
}

std::string make_request(std::string_view nonce) {
  return std::string{request} + ":" + std::string{nonce};
}

std::optional<std::string> parse_request_nonce(std::string_view payload) {
  if (!payload.starts_with(request) || payload.size() <= request.size() ||
      payload[request.size()] != ':')
    return std::nullopt;
  auto nonce = payload.substr(request.size() + 1);
  if (!plausible_nonce(nonce))
    return std::nullopt;
  return std::string{nonce};
}

std::string make_reply(std::string_view key, const std::string& ip,
                       std::string_view nonce) {
  return make_reply(ip) + ":" + std::string{nonce} + ":" + reply_mac(key, ip, nonce);
}

std::optional<std::string> parse_reply(std::string_view key, std::string_view nonce,
                                       std::string_view payload) {
  if (!payload.starts_with(reply_prefix))
    return std::nullopt;
  auto rest = payload.substr(reply_prefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  std::string ip{rest.substr(0, colon)};
  auto tail = rest.substr(colon + 1);
  if (!is_dotted_quad(ip) || !tail.starts_with(nonce) || tail.size() <= nonce.size() ||
      tail[nonce.size()] != ':')
    return std::nullopt;
  if (!openssl::same_bytes(tail.substr(nonce.size() + 1), reply_mac(key, ip, nonce)))
    return std::nullopt;
  return ip;
}

} // namespace chat::locator
