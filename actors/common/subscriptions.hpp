#pragma once

// Where live persistent group subscriptions are recorded in Redis, so the
// server node can re-bind them after a broker restart: a set
// `chat:subscriptions:<user>` of group names, expiring with the user's
// registry lease (refreshed with it, deleted on a clean exit). User names
// contain no ':', so the key never clashes with a registry key.

#include <string>
#include <string_view>

namespace chat {

inline constexpr std::string_view subscriptions_prefix = "chat:subscriptions:";

inline std::string subscriptions_key(const std::string& user) {
  return std::string{subscriptions_prefix} + user;
}

} // namespace chat
