#pragma once

// The per-user broker accounts on the managed RabbitMQ node (secure mode):
// the blocking calls the account actor makes, through the rabbitmqctl
// wrapper in `rabbit_dir` (adapters/managed_services) and a loopback login.

#include "adapters/common/amqp_connection.hpp"
#include "adapters/server/broker_permissions.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace chat {

/// A broker account to create for chat user `name`.
struct new_account {
  std::string name;
  std::string user;
  std::string password;
};

/// What the account actor needs of the broker (a fake in unit tests).
struct account_store {
  /// Whether `user` logs in with `password`: the account exists as granted.
  std::function<bool(const std::string& user, const std::string& password)> accepts;
  /// Every account that exists.
  std::function<caf::expected<std::set<std::string>>()> users;
  /// Creates these accounts, each with the permissions of its chat user, in
  /// one step (one rabbitmqctl call however many).
  std::function<caf::error(const std::vector<new_account>&)> create;
};

/// The managed node's accounts: logins on the plaintext loopback listener of
/// `loopback` (its user and password are replaced), rabbitmqctl otherwise;
/// each new account gets `limits`.
account_store rabbit_account_store(amqp_settings loopback, std::string rabbit_dir,
                                   broker_user_limits limits);

/// Deletes the broker account of chat user `name` and every queue of it in
/// `vhost` (`chat-actors server --forget-user`): the name can then be bound
/// to another identity key, and nothing kept for it remains. Returns how
/// many queues went.
caf::expected<size_t> forget_broker_account(const std::string& rabbit_dir,
                                            const std::string& vhost,
                                            const std::string& name);

} // namespace chat
