#pragma once

// Server side of the per-user broker accounts (adapters/broker_account.hpp):
// checks an account request that the LAN locator hands over, creates the
// user's RabbitMQ account on first use of a name and answers with its
// sealed credentials, or refuses. Blocks on rabbitmqctl: runs detached.

#include "actors/atoms.hpp"
#include "adapters/broker_account.hpp"
#include "adapters/rabbit_accounts.hpp"
#include "adapters/udp_socket.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace chat {

/// The datagram to send back; empty: not an account request, ignore it.
using broker_account_actor =
    caf::typed_actor<caf::replies_to<account_atom, udp_datagram>::with<std::string>>;

struct broker_account_keys {
  /// The join code's member password: only code holders may ask.
  std::string member_password;
  /// Server secret the passwords are derived from.
  std::string account_secret;
};

struct broker_account_state {
  broker_account_keys keys;
  account_store store;
  /// Recent answers by request nonce: a client repeats a request every
  /// second while we work, and a repeat must cost nothing.
  std::map<std::string, std::string> answered;
  std::deque<std::string> answered_order;
  uint64_t granted = 0;
  uint64_t refused = 0;

  /// The answer to a well-formed request.
  std::string answer(const broker_account::request& req, const std::string& from);

  /// Keeps `reply` for repeats of request `nonce` (a bounded number).
  void remember(const std::string& nonce, const std::string& reply);

  static inline const char* name = "broker-accounts";
};

using broker_account_pointer =
    broker_account_actor::stateful_pointer<broker_account_state>;

broker_account_actor::behavior_type broker_account_impl(broker_account_pointer self,
                                                        broker_account_keys keys,
                                                        account_store store);

} // namespace chat
