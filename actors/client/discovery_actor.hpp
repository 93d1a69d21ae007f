#pragma once

// Discovery (docs/protocol.md): answers every other client's request on
// `<user>:discovery_requests` (purged at start) with our bare name, our
// gRPC endpoint and our groups in headers; while the view is open, runs a
// round every `interval`: requests (tagged with a round id) and at the same
// time asks the registry who is online (one Redis round trip instead of
// waiting for every client's answer), and reports
// (report_atom, discovery_report) to the listener `settle` after the start,
// or once the registry answers if that is later. The report merges the
// registry's users with the answers of this round and of the previous one:
// original clients are not in the registry's set, and one that answers
// after `settle` is listed from the next round on instead of flapping
// between left and joined. Answers tagged with an older round than the
// previous one are not counted; untagged answers (original clients) count
// for the current round.

#include "actors/client/chat_types.hpp"
#include "actors/client/registry_actor.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"
#include "config/defaults.hpp"

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
                     caf::reacts_to<report_atom, uint64_t>,
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
  /// Asked for who is online each round; none: AMQP answers only.
  registry_actor registry{};
  /// How long after its start a round reports (at most `interval`).
  caf::timespan settle{defaults::discovery_settle};
};

/// The report of a round (pure, for tests): everyone in `online` (the
/// registry), `answers` (this round) or `earlier` (the previous round)
/// except `self`, by name; an answer of this round gives the fields first,
/// then the registry, then the previous round. joined/left: against the
/// names of the last report, `reported`.
discovery_report merge_round(const std::string& self,
                             const std::vector<peer_info>& online,
                             const std::map<std::string, peer_info>& answers,
                             const std::map<std::string, peer_info>& earlier,
                             const std::set<std::string>& reported);

struct discovery_state {
  discovery_config cfg;
  /// Gets (event_atom, chat_event) and (report_atom, discovery_report).
  caf::actor listener;
  std::unique_ptr<amqp_channel> channel;
  std::vector<std::string> groups;
  bool on = false;
  uint64_t round = 0;
  /// The first round since discovery was turned on.
  uint64_t first = 0;
  /// Answers of the current round, by name (also those after its report).
  std::map<std::string, peer_info> answers;
  /// Answers of the previous round, by name.
  std::map<std::string, peer_info> earlier;
  /// The registry's users for the current round, once it answered.
  std::vector<peer_info> online;
  /// Whether the registry was asked this round and has not answered yet.
  bool asking = false;
  /// Whether the current round's settle time has passed.
  bool settled = false;
  /// Whether the current round was reported.
  bool done = false;
  /// Names in the last report.
  std::set<std::string> previous;
  uint64_t next_id = 1;
  static inline const char* name = "discovery";
};

using discovery_pointer = discovery_actor::stateful_pointer<discovery_state>;

discovery_actor::behavior_type discovery_impl(discovery_pointer self,
                                              discovery_config cfg, caf::actor listener);

} // namespace chat
