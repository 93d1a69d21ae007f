#pragma once

// The private-chat manager: serves PrivateChatService (docs/protocol.md) for this
// client, registers the endpoint (with this session's public key) through
// the registry, and routes every conversation to one peer actor per peer,
// spawned on first contact. The CLI talks to it only by message.

#include "actors/client/chat_types.hpp"
#include "actors/client/file_manager_actor.hpp"
#include "actors/client/peer_directory.hpp"
#include "actors/client/private_chat_peer_actor.hpp"
#include "actors/client/registry_actor.hpp"
#include "actors/common/atoms.hpp"
#include "config/defaults.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chat {

/// register: claim `name` in the registry with our endpoint and key (use
/// this instead of asking the registry directly). send: deliver `text` to
/// `peer` within chat.send-timeout; errors are one readable line (describe).
/// chats: every conversation with its unread count. history: a
/// conversation, oldest first. open/close: the user views a chat. port: the
/// bound gRPC port (TLS). incoming: a gRPC call (from the service adapter), to be
/// answered through its reply.
/// trust: pin the identity key `peer` has now (after "key changed"); the
/// answer names its fingerprint.
/// file: a file transfer request (/send, /accept, …; docs/files.md), handed
/// to the session's file manager.
/// drop: a peer actor leaves (internal). probe: check that the listener
/// still accepts (internal; with a bool: the outcome).
using private_chat_actor = caf::typed_actor<
    caf::replies_to<register_atom, std::string>::with<endpoint>,
    caf::replies_to<send_atom, std::string, std::string>::with<ok_atom>,
    caf::replies_to<chats_atom>::with<std::vector<chat_summary>>,
    caf::replies_to<history_atom, std::string>::with<std::vector<chat_event>>,
    caf::reacts_to<open_atom, std::string>, caf::reacts_to<close_atom, std::string>,
    caf::replies_to<status_atom>::with<uint16_t>,
    caf::reacts_to<incoming_atom, wire_message, delivery_reply>,
    caf::replies_to<trust_atom, std::string>::with<std::string>,
    caf::reacts_to<drop_atom, std::string, std::string, uint64_t>,
    caf::reacts_to<probe_atom>, caf::reacts_to<probe_atom, bool>,
    caf::replies_to<file_atom, file_request>::with<std::string>>;

/// Options of private chats (chat.grpc-host, chat.grpc-port,
/// chat.history-size, chat.send-timeout, chat.max-message-bytes).
struct private_chat_settings {
  std::string host{defaults::grpc_host};
  uint16_t port = defaults::grpc_port;
  size_t history_size = defaults::history_size;
  caf::timespan send_timeout{defaults::send_timeout};
  size_t max_message_bytes = defaults::max_message_bytes;
  /// Bytes of text kept per conversation (chat.history-bytes).
  size_t history_bytes = defaults::history_bytes;
  /// Conversations kept at once; the least recently active one not in view
  /// makes room for a new one (chat.max-conversations).
  size_t max_conversations = defaults::max_conversations;
  /// Connections one peer host may hold open (chat.max-connections-per-host).
  size_t max_connections_per_host = defaults::max_connections_per_host;
  /// How often the service calls itself through a new connection; two
  /// failures in a row restart it on the same port
  /// (chat.listener-check-interval).
  caf::timespan listener_check_interval{defaults::listener_check_interval};
  /// Where the identity key and the pinned peer keys are kept (the client's
  /// state dir); empty = this process only.
  std::string identity_dir;
  /// Open mode (chat.allow-original-clients): also serve plaintext for
  /// original clients, on `port` (TLS then on a free port), and send
  /// plaintext to peers that offer no TLS. Otherwise TLS only, on `port`.
  bool plaintext = false;
  /// Serve the ordered stream (PrivateChatStream). Off only in tests that
  /// play a peer without it; not a configuration key.
  bool serve_stream = true;
  /// Where accepted files go (chat.download-dir; empty = the XDG download
  /// directory, else ~/Downloads).
  std::string download_dir;

  static private_chat_settings from(const caf::actor_system_config& cfg);
};

struct private_chat_state {
  private_chat_settings settings;
  registry_actor registry;
  caf::actor listener;
  std::shared_ptr<peer_transport> transport;
  /// The identity key (loaded at register) and this session's key; the
  /// public halves go to the registry.
  session_keys keys;
  /// Peer identity keys pinned on first contact (created at register).
  std::shared_ptr<known_peers> pins;
  /// Registered user name; empty before register.
  std::string user;
  /// One actor per conversation.
  std::map<std::string, private_chat_peer_actor> peers;
  /// The same actors for the gRPC threads, which hand calls to them.
  std::shared_ptr<peer_directory> directory = std::make_shared<peer_directory>();
  /// Replay floors of dropped conversations, at most 4 × max_conversations
  /// (the oldest go first).
  std::map<std::string, replay_floor> floors;
  std::deque<std::string> floor_order;
  /// When each conversation was last active (a tick of `clock`).
  std::map<std::string, uint64_t> last_active;
  uint64_t clock = 0;
  /// The conversation in view, if any: never evicted.
  std::string in_view;
  /// File transfers (spawned at register) and what the file service
  /// needs to reach them and the files we offer.
  file_manager_actor files;
  std::shared_ptr<file_slot> files_slot = std::make_shared<file_slot>();
  std::shared_ptr<offered_files> offered = std::make_shared<offered_files>();
  /// The gRPC service; stopped when the manager ends (state destructor).
  std::unique_ptr<private_chat_server> server;
  /// The bound TLS and plaintext ports (kept across restarts of the
  /// service, so that the registered endpoint stays right).
  uint16_t tls_port = 0;
  uint16_t plaintext_port = 0;
  /// Why the service could not start.
  std::string failure;
  /// Self-probes that failed in a row.
  int probe_failures = 0;
  /// What the listener had turned away at the last probe.
  listener_counts reported;

  static inline const char* name = "private_chats";
};

using private_chat_pointer = private_chat_actor::stateful_pointer<private_chat_state>;

/// `transport` = nullptr: real gRPC channels.
private_chat_actor::behavior_type
private_chat_impl(private_chat_pointer self, private_chat_settings settings,
                  registry_actor registry, caf::actor listener,
                  std::shared_ptr<peer_transport> transport);

/// The manager and the port its service listens on.
struct private_chats {
  private_chat_actor manager;
  uint16_t port = 0;
};

/// Spawns the manager and waits until its service listens (the port must be
/// known before registering). Then register through the manager:
/// `request(manager, …, register_atom::value, name)`.
caf::expected<private_chats> spawn_private_chats(caf::actor_system& sys,
                                                 private_chat_settings settings,
                                                 registry_actor registry,
                                                 caf::actor listener);

} // namespace chat
