#include "actors/locator_protocol.hpp"

#include <arpa/inet.h>

namespace chat::locator {

std::optional<std::string> parse_reply(std::string_view payload) {
  if (!payload.starts_with(reply_prefix))
    return std::nullopt;
  std::string ip{payload.substr(reply_prefix.size())};
  in_addr parsed{};
  if (ip.size() > 15 || inet_pton(AF_INET, ip.c_str(), &parsed) != 1)
    return std::nullopt;
  return ip;
}

} // namespace chat::locator
