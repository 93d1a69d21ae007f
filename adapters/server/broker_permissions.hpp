#pragma once

// Who may do what on the broker in secure mode (docs/security.md), as
// RabbitMQ 3.10 permission regexes, and the definitions documents that
// create accounts (rabbitmq.conf `load_definitions`, `rabbitmqctl
// import_definitions`).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

struct broker_permissions {
  std::string configure, write, read;
  /// Topic permissions on the durable group exchange (routing keys).
  std::string topic_write, topic_read;
};

/// A chat user's own account: its queues (`<name>:<x>`) only, and group
/// messages only under its own routing keys (`<name>.<group>.msg`), so the
/// broker itself vouches for the sender part of a routing key.
broker_permissions permissions_for_user(std::string_view name);

/// The join code's shared account: just enough for `chat-actors who`
/// (discovery under a throwaway name, adapters/common/broker_account.hpp), nothing
/// of any user's queues.
broker_permissions permissions_for_member();

/// Per-user limits (`rabbitmqctl set_user_limits`).
struct broker_user_limits {
  int64_t max_connections = 0;
  int64_t max_channels = 0;
};

struct broker_account_definition {
  std::string user;
  std::string password;
  std::string tags;
  /// Nothing: every right on the vhost (the server's administrator).
  std::optional<broker_permissions> limits;
  /// Nothing: no limit (the server's administrator).
  std::optional<broker_user_limits> user_limits;
};

/// The policy on every queue a member may declare (`<user>:<x>`,
/// `who<hex>:<x>`): at most `max_bytes` (the oldest messages go first, so a
/// member's backlog while away keeps its newest part; a queue's own
/// `x-overflow` still applies), deleted after `expires_ms` unused.
struct member_queue_policy {
  int64_t max_bytes = 0;
  int64_t expires_ms = 0;
};

/// The name of that policy (`rabbitmqctl list_policies`).
inline constexpr std::string_view member_queue_policy_name = "chat-member-queues";

/// A definitions document (JSON) with these accounts on `vhost`, which it
/// declares too if `with_vhost`, and the member queue policy if given.
std::string definitions_json(const std::vector<broker_account_definition>& accounts,
                             const std::string& vhost, bool with_vhost,
                             const std::optional<member_queue_policy>& policy = {});

} // namespace chat
