#pragma once

// Server side of the per-user broker accounts (adapters/common/broker_account.hpp):
// checks an account request that the LAN locator hands over and answers
// with the account's sealed credentials, or refuses. An account that does
// not exist yet is created; requests for new accounts that arrive together
// (a class starting its clients at once) are created together, with one
// rabbitmqctl call. Blocks on rabbitmqctl: runs detached.

#include "actors/common/atoms.hpp"
#include "adapters/common/broker_account.hpp"
#include "adapters/common/udp_socket.hpp"
#include "adapters/server/rabbit_accounts.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chat {

/// `account`: the datagram to send back; empty if it was not an account
/// request. `flush`: create the accounts asked for since the last one.
using broker_account_actor =
    caf::typed_actor<caf::replies_to<account_atom, udp_datagram>::with<std::string>,
                     caf::reacts_to<flush_atom>>;

struct broker_account_keys {
  /// The join code's member password: only code holders may ask.
  std::string member_password;
  /// Server secret the passwords are derived from.
  std::string account_secret;
};

/// A request waiting for its account to be created.
struct pending_account {
  broker_account::request req;
  std::string from;
  /// The request and its repeats.
  std::vector<caf::typed_response_promise<std::string>> replies;
};

struct broker_account_state {
  broker_account_keys keys;
  account_store store;
  /// Requests for accounts that do not exist yet, in arrival order.
  std::vector<pending_account> pending;
  /// Recent answers by request nonce: a client repeats a request every
  /// second while we work, and a repeat must cost nothing.
  std::map<std::string, std::string> answered;
  std::deque<std::string> answered_order;
  uint64_t granted = 0;
  uint64_t refused = 0;
  /// When a refusal was last logged (at most one line per 10 s).
  caf::timestamp refusal_logged;

  /// The answer, if it needs no new account; nothing if it does.
  std::optional<std::string> answer_at_once(const broker_account::request& req,
                                            const std::string& from);

  /// Creates the pending accounts and answers their requests.
  void create_pending();

  std::string refuse(const broker_account::request& req, const std::string& from,
                     broker_account::refusal why);
  std::string grant(const broker_account::request& req);

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
