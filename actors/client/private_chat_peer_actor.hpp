#pragma once

// One conversation with one peer: bounded history, unread count, a cached
// stub to the peer, outgoing messages in order (a window of them in flight
// on an ordered stream to a chat-actors peer, one at a time to an original
// client), and the check that incoming messages really come from the peer.
//
// Proof of origin (the original has none; actors/client/private_chat_keys.hpp):
// - The peer's registry entry carries its identity key, its session key and
//   the identity's signature of the session key. Both are checked before
//   use, and the identity key is compared with the one pinned on first
//   contact: a changed key is a warning in the chat, messages from that
//   peer are shown unverified and sending is held until `/trust`.
// - Messages are sealed with the key the two sessions share; the call says
//   which sender and receiver session keys it was sealed for. A seal that
//   does not open, or a missing seal from a name held by a keyed session:
//   PERMISSION_DENIED. seq grows strictly per sender session (time-based,
//   so also across dropped conversations) and the receiver refuses seq <=
//   the last one it accepted from that session (no replays).
// - No seal from a name that is unregistered or held by an original client
//   (no key): accepted, shown with verified = false.
// - TLS: the entry also publishes the SHA-256 of the session's certificate,
//   signed by the identity key (checked in the same place as the session
//   key). Sends go over TLS accepting only that certificate; a call from a
//   peer whose entry publishes one must come on a connection with exactly
//   that client certificate (PERMISSION_DENIED otherwise). Without
//   `require_tls` (open mode) a peer without one (an original client) gets
//   plaintext.

#include "actors/client/chat_types.hpp"
#include "actors/client/private_chat_keys.hpp"
#include "actors/client/registry_actor.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/client/identity_store.hpp"
#include "adapters/client/private_chat_grpc.hpp"
#include "config/defaults.hpp"

#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chat {

class peer_directory;

/// send: deliver one text (ok or a one-line error). incoming: a validated
/// call from the peer (ok, or not_authentic → PERMISSION_DENIED), answered
/// to the asker or, with a reply, straight to the gRPC call. sent: the
/// transport's outcome of call `attempt`. timeout: the backstop for a
/// transport that never answers (internal). open/close: the user views the chat.
/// drop: the manager needs room; leave unless in view or sending. trust:
/// the pinned key changed (`/trust`): check the peer again.
using private_chat_peer_actor =
    caf::typed_actor<caf::replies_to<send_atom, std::string>::with<ok_atom>,
                     caf::replies_to<incoming_atom, wire_message>::with<ok_atom>,
                     caf::reacts_to<incoming_atom, wire_message, delivery_reply>,
                     caf::reacts_to<sent_atom, uint64_t, int32_t, std::string>,
                     caf::reacts_to<timeout_atom>,
                     caf::replies_to<history_atom>::with<std::vector<chat_event>>,
                     caf::replies_to<status_atom>::with<chat_summary>,
                     caf::reacts_to<open_atom>, caf::reacts_to<close_atom>,
                     caf::reacts_to<drop_atom>, caf::reacts_to<trust_atom>>;

/// The last proven (session key, seq) of a sender, kept by the manager when
/// a conversation is dropped so old messages cannot be replayed into a new
/// one.
struct replay_floor {
  std::string key;
  uint64_t seq = 0;
};

/// What a peer actor needs from its manager.
struct peer_setup {
  /// This session's user name.
  std::string self_name;
  std::string peer;
  size_t history_size = 1000;
  /// Bytes of text the history keeps at most.
  size_t history_bytes = static_cast<size_t>(defaults::history_bytes);
  caf::timespan send_timeout{};
  /// Sends in flight at once on an ordered stub.
  size_t window = static_cast<size_t>(defaults::private_window);
  /// Longest text accepted (checked once a sealed text is opened).
  size_t max_message_bytes = static_cast<size_t>(defaults::max_message_bytes);
  /// This session's key-agreement key; nullptr = send without proof.
  std::shared_ptr<const x25519_key> session_key;
  /// Identity keys pinned per peer name.
  std::shared_ptr<known_peers> pins;
  std::shared_ptr<peer_transport> transport;
  /// Send only over TLS (secure mode): an entry without a certificate is
  /// not sent to.
  bool require_tls = false;
  registry_actor registry;
  /// Gets (event_atom, chat_event).
  caf::actor listener;
  /// Gets (drop_atom, peer, key, seq) before this actor drops itself.
  caf::actor parent;
  /// Where gRPC threads find this actor; it removes itself when it leaves.
  std::shared_ptr<peer_directory> directory;
  replay_floor floor;
};

struct private_chat_peer_state {
  struct outgoing {
    std::string text;
    caf::typed_response_promise<ok_atom> promise;
    /// Id of its transport call while in flight; 0 = not (yet, or again).
    uint64_t call = 0;
    /// The peer has it; filed here once all before it are answered.
    bool delivered = false;
    /// When it fails unless delivered (set when it is first tried).
    caf::actor_clock::time_point deadline{};
    /// Its seq and sealed text, kept for a resend to the same peer session
    /// (sealed_for): a receiver that filed it answers ALREADY_EXISTS.
    uint64_t seq = 0;
    std::string sealed;
    std::string sealed_for;
  };

  peer_setup setup;
  /// Oldest first, at most setup.history_size events and
  /// setup.history_bytes of text.
  std::deque<chat_event> history;
  size_t history_bytes = 0;
  uint32_t unread = 0;
  /// The user is viewing this chat.
  bool open = false;
  /// A send found the peer unregistered (and nothing came from it since).
  bool gone = false;
  /// Sends in order; those in flight or delivered come first. With an
  /// ordered stub up to setup.window are in flight, else one.
  std::deque<outgoing> queue;
  /// Sends in flight (sent, not answered).
  size_t in_flight = 0;
  /// A lookup of the peer is under way (id `lookup`); nothing is sent.
  bool looking_up = false;
  uint64_t lookup = 0;
  /// Source of call and lookup ids; outcomes of stale ones are ignored.
  uint64_t last_id = 0;
  /// Failed calls sent again after a fresh lookup since the last delivery
  /// or failure (at most defaults::private_send_retries).
  int64_t retries = 0;
  /// A backstop timer is pending (one per actor, re-armed while busy, and
  /// while idle with an ordered stub, to close it).
  bool backstop_armed = false;
  /// When a send last went out or was answered.
  caf::actor_clock::time_point last_activity{};
  /// The peer does not serve the ordered stream (a chat-actors client from
  /// before it): unary calls over TLS. Until its entry changes.
  bool unary_only = false;
  /// Cached stub and the endpoint it goes to.
  std::shared_ptr<peer_stub> stub;
  endpoint peer_ep;
  /// The key shared with the peer's session in `peer_ep`, if it has one.
  std::optional<pair_key> pair;
  /// The peer's identity key is the pinned one (or it is an original client
  /// and nothing was pinned).
  bool trusted = false;
  /// The identity key we last warned about, so that a change is told once.
  std::string warned_key;
  /// Last seq we sealed.
  uint64_t last_sent_seq = 0;
  /// The peer session key whose messages we accepted last, and its last seq.
  std::string floor_key;
  uint64_t last_seq = 0;
  /// The latest seqs accepted from floor_key (a resend of one is answered
  /// ALREADY_EXISTS, not filed again), at most setup.window * 4.
  std::deque<uint64_t> recent_seqs;

  /// Answers every send still queued with an error: CAF 0.17 drops an
  /// undelivered promise without a word, and the CLI asks without a
  /// timeout (the deadline is ours).
  ~private_chat_peer_state();

  static inline const char* name = "private_chat_peer";
};

using private_chat_peer_pointer =
    private_chat_peer_actor::stateful_pointer<private_chat_peer_state>;

private_chat_peer_actor::behavior_type
private_chat_peer_impl(private_chat_peer_pointer self, peer_setup setup);

/// The gRPC status for why an incoming call was refused.
delivery_status refusal(const caf::error& err);

} // namespace chat
