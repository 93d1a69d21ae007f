#pragma once

// The per-user broker accounts on the managed RabbitMQ node (secure mode):
// the blocking calls the account actor makes, through the rabbitmqctl
// wrapper in `rabbit_dir` (adapters/managed_services) and a loopback login.

#include "adapters/amqp_connection.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <functional>
#include <string>

namespace chat {

/// What the account actor needs of the broker (a fake in unit tests).
struct account_store {
  /// Whether `user` logs in with `password`: the account exists as granted.
  std::function<bool(const std::string& user, const std::string& password)> accepts;
  /// Whether an account `user` exists at all.
  std::function<caf::expected<bool>(const std::string& user)> exists;
  /// Creates `user` with `password` and the permissions of chat user `name`.
  std::function<caf::error(const std::string& name, const std::string& user,
                           const std::string& password)>
      create;
};

/// The managed node's accounts: logins on the plaintext loopback listener of
/// `loopback` (its user and password are replaced), rabbitmqctl otherwise.
account_store rabbit_account_store(amqp_settings loopback, std::string rabbit_dir);

/// Deletes the broker account of chat user `name` (`chat-actors server
/// --forget-user`): the name can then be bound to another identity key.
caf::error forget_broker_account(const std::string& rabbit_dir, const std::string& name);

} // namespace chat
