#pragma once

// Who may do what on the broker in secure mode (docs/security.md), as
// RabbitMQ 3.10 permission regexes, and the definitions documents that
// create accounts (rabbitmq.conf `load_definitions`, `rabbitmqctl
// import_definitions`).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

struct broker_permissions {
  std::string configure, write, read;
  /// Topic permissions on the durable group exchange (routing keys).
  std::string topic_write, topic_read;
  /// Topic permissions on the inbox exchange: write to anyone's inbox (the
  /// routing key is the recipient), bind (read) one's own name only.
  std::string inbox_topic_write, inbox_topic_read;
};

/// A chat user's own account: its queues (`<name>:<x>`) only, and group
/// messages only under its own routing keys (`<name>.<group>.msg`), so the
/// broker itself vouches for the sender part of a routing key. Private
/// messages for users who are away go to anyone's inbox; only its owner
/// can bind (and so read) an inbox.
broker_permissions permissions_for_user(std::string_view name);

/// The join code's shared account: just enough for `chat-actors who`
/// (discovery under a throwaway name, adapters/common/broker_account.hpp), nothing
/// of any user's queues.
broker_permissions permissions_for_member();

struct broker_account_definition {
  std::string user;
  std::string password;
  std::string tags;
  /// Nothing: every right on the vhost (the server's administrator).
  std::optional<broker_permissions> limits;
};

/// A definitions document (JSON) with these accounts on `vhost`, which it
/// declares too if `with_vhost`.
std::string definitions_json(const std::vector<broker_account_definition>& accounts,
                             const std::string& vhost, bool with_vhost);

} // namespace chat
