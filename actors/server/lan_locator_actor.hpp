#pragma once

// Server side of the LAN locator: answers DISCOVERY_REQUEST datagrams with
// the address of the interface the request arrived on, hands cluster joins
// and broker account requests to their handlers; counts and ignores
// everything else. Every datagram passes a token bucket per source and one
// for all sources first (a flood, spoofed or not, is neither answered nor
// reflected); what they refuse is counted and logged once per interval.

#include "actors/common/atoms.hpp"
#include "actors/common/udp_glue.hpp"
#include "actors/server/broker_account_actor.hpp"
#include "actors/server/source_rate_limit.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace chat {

/// stats: (answered requests, ignored datagrams).
using lan_locator_actor =
    caf::typed_actor<caf::reacts_to<datagram_atom, udp_datagram>,
                     caf::replies_to<stats_atom>::with<uint64_t, uint64_t>>;

/// Answers a cluster join request (adapters/server/cluster_join.hpp) with the
/// datagram to send back, or nothing; empty on a single node.
using join_handler = std::function<std::optional<std::string>(const udp_datagram&)>;

/// What a server node's locator answers besides DISCOVERY_REQUEST.
struct locator_services {
  /// Cluster nodes answer join requests.
  join_handler on_join;
  /// Secure mode: answers broker account requests (linked to the locator).
  broker_account_actor accounts;
  /// Secure mode: authenticates answers to "DISCOVERY_REQUEST:<nonce>"
  /// (actors/common/locator_protocol.hpp).
  std::string reply_key;
};

struct lan_locator_state {
  /// The socket on UDP port 37020 (all interfaces).
  std::unique_ptr<udp_socket> socket;
  locator_services services;
  /// Our address on the link towards a sender.
  std::function<std::string(const std::string&)> address_towards = source_address_towards;
  /// Requests answered.
  uint64_t answered = 0;
  /// Datagrams that were not a well-formed request, or over the rate limit.
  uint64_t ignored = 0;
  source_rate_limit limit;
  /// When the refusals of the rate limit were last logged.
  caf::timestamp refusals_logged;

  static inline const char* name = "lan-locator";
};

using lan_locator_pointer = lan_locator_actor::stateful_pointer<lan_locator_state>;

lan_locator_actor::behavior_type lan_locator_impl(lan_locator_pointer self,
                                                  udp_socket_factory open_socket,
                                                  locator_services services);

/// The production socket: all interfaces, `port`.
udp_socket_factory locator_socket(uint16_t port);

} // namespace chat
