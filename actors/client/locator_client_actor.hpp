#pragma once

// Client side of the LAN locator: broadcasts DISCOVERY_REQUEST (secure
// mode: the authenticated variant, actors/common/locator_protocol.hpp), repeats
// every 2 s, and answers `locate` with the servers' addresses or, after the
// timeout, with errc::server_not_found. Every reply within `gather` of the
// first one counts ("a,b,c" in arrival order): the nodes of a cluster, or a
// real server beside a rogue that answered faster (the caller keeps the
// first one that proves itself, docs/security.md).

#include "actors/common/atoms.hpp"
#include "actors/common/udp_glue.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <string>
#include <vector>

namespace chat {

using locator_client_actor =
    caf::typed_actor<caf::replies_to<locate_atom>::with<std::string>,
                     caf::reacts_to<datagram_atom, udp_datagram>,
                     caf::reacts_to<retry_atom>, caf::reacts_to<timeout_atom>,
                     caf::reacts_to<gathered_atom>>;

struct locator_search {
  /// Where requests go: broadcast address and locator port.
  std::string target = "255.255.255.255";
  uint16_t port = 37020;
  caf::timespan retry = std::chrono::seconds{2};
  caf::timespan timeout = std::chrono::seconds{10};
  /// How long other replies may follow the first.
  caf::timespan gather = std::chrono::milliseconds{300};
  /// Secure mode: only authenticated replies count
  /// (locator::reply_key of the join code); empty: any reply.
  std::string reply_key;
};

struct locator_client_state {
  std::unique_ptr<udp_socket> socket;
  locator_search search;
  /// Secure mode: the nonce our requests carry.
  std::string nonce;
  /// The answer ("a,b,c"), once the gathering is over.
  std::string server;
  /// Secure mode: replies that did not prove the join code.
  size_t unproven = 0;
  /// Distinct addresses that replied, in arrival order.
  std::vector<std::string> replies;
  /// Requests waiting for an answer.
  std::vector<caf::typed_response_promise<std::string>> waiting;
  /// Whether a search round (retries, timeout) is running.
  bool searching = false;

  static inline const char* name = "locator-client";
};

using locator_client_pointer =
    locator_client_actor::stateful_pointer<locator_client_state>;

locator_client_actor::behavior_type locator_client_impl(locator_client_pointer self,
                                                        locator_search search,
                                                        udp_socket_factory open_socket);

/// The production socket: any port, broadcast allowed.
udp_socket_factory broadcast_socket();

} // namespace chat
