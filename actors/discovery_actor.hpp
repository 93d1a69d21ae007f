#pragma once

// Discovery (PROTOCOL.md): answers every other client's request on
// `<user>:discovery_requests` (purged at start) with our bare name, our
// gRPC endpoint and our groups in headers; while the view is open, runs a
// round every `interval`: requests (tagged with a round id), collects the
// answers and reports (report_atom, discovery_report) to the listener.
// Answers tagged with an older round are not counted; untagged answers
// (original clients) count for the current round.

#include "actors/atoms.hpp"
#include "actors/chat_types.hpp"
#include "adapters/amqp_channel.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace chat {

using discovery_actor =
    caf::typed_actor<caf::reacts_to<discover_atom, bool>,
                     caf::reacts_to<groups_atom, std::vector<std::string>>,
                     caf::reacts_to<round_atom, uint64_t>,
                     caf::reacts_to<deliver_atom, amqp_delivery>,
                     caf::reacts_to<confirm_atom, uint64_t, caf::error>,
                     caf::reacts_to<link_atom, bool, std::string>>;

struct discovery_config {
  std::string user;
  /// Our private-chat endpoint, "host:port".
  std::string endpoint;
  /// Opens our channel on the client's broker connection.
  amqp_channel_factory broker;
  caf::timespan interval{};
  caf::timespan queue_expiry{};
};

struct discovery_state {
  discovery_config cfg;
  /// Gets (event_atom, chat_event) and (report_atom, discovery_report).
  caf::actor listener;
  std::unique_ptr<amqp_channel> channel;
  std::vector<std::string> groups;
  bool on = false;
  uint64_t round = 0;
  /// Answers of the current round, by name.
  std::map<std::string, peer_info> answers;
  /// Names reported by the previous round.
  std::set<std::string> previous;
  uint64_t next_id = 1;
  static inline const char* name = "discovery";
};

using discovery_pointer = discovery_actor::stateful_pointer<discovery_state>;

discovery_actor::behavior_type discovery_impl(discovery_pointer self,
                                              discovery_config cfg, caf::actor listener);

} // namespace chat
