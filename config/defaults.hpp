#pragma once

// Every default of chat-actors in one place. Options are read as
// `caf::get_or(cfg, "chat.<key>", defaults::<key>)`.

#include "config/backoff.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chat::defaults {

using namespace std::chrono_literals;

/// CAF scheduler (`scheduler.policy`): idle workers wait on a condition
/// variable instead of polling, which leaves the CPU to RabbitMQ and gRPC on
/// small machines (docs/benchmarks.md: lower latency, more group throughput).
inline constexpr std::string_view scheduler_policy = "sharing";
/// CAF worker threads (`scheduler.max-threads`; CAF's own default is
/// max(cores, 4)). A client's actors each do little per message, so one
/// worker runs a message's hops (group → broker link → CLI, manager → peer)
/// back to back instead of waking another thread for each: on the 2-core
/// test machine it cut context switches per group delivery by two thirds
/// and the private round trip by ≈ 20 % (docs/benchmarks.md). Blocking
/// libraries run on their own threads (detached actors, adapters), so they
/// never hold this one.
inline constexpr size_t scheduler_threads = 1;

/// User name; empty = ask at start-up.
inline constexpr std::string_view name = "";
/// Address of the server node; empty = find it by UDP broadcast.
inline constexpr std::string_view server = "";
/// UDP port of the LAN locator (docs/protocol.md).
inline constexpr uint16_t locator_port = 37020;
/// Address the client broadcasts "where is the server?" to.
inline constexpr std::string_view locator_broadcast = "255.255.255.255";
/// How long the client searches for a server before giving up.
inline constexpr auto locator_timeout = 10s;
/// How often the client repeats its broadcast (docs/protocol.md: every 2 s).
inline constexpr auto locator_retry = 2s;

/// Secure mode (the default): the join code a client uses (empty = the one
/// kept in its state dir, else asked for on a terminal).
inline constexpr std::string_view join_code = "";
/// Server: run the open mode for original clients (guest/guest from
/// the LAN, Redis without a password on every interface, no TLS); client:
/// connect to such a server (no join code). The LAN is then trusted.
inline constexpr bool allow_original_clients = false;
/// Secure mode: AMQP over TLS (the broker's plaintext port is loopback-only).
inline constexpr uint16_t amqp_tls_port = 5671;
/// Secure mode: TLS in front of Redis (stunnel; Redis is loopback-only).
inline constexpr uint16_t redis_tls_port = 6380;

inline constexpr uint16_t redis_port = 6379;
inline constexpr int64_t redis_db = 0;
inline constexpr std::string_view redis_password = "";

inline constexpr uint16_t amqp_port = 5672;
inline constexpr std::string_view amqp_vhost = "/";
/// guest/guest is what original clients use; a managed broker admits it from
/// the LAN. Change both on a shared network (docs/security.md).
inline constexpr std::string_view amqp_user = "guest";
inline constexpr std::string_view amqp_password = "guest";

/// Address the private-chat gRPC service binds to.
inline constexpr std::string_view grpc_host = "0.0.0.0";
/// 0 = any free port.
inline constexpr uint16_t grpc_port = 0;
/// Messages kept per private chat (oldest dropped first).
inline constexpr int64_t history_size = 1000;
/// Private conversations kept at once (a flood of strangers cannot grow the
/// client without bound: the least recently active one makes room).
inline constexpr int64_t max_conversations = 200;
/// Bytes of text kept per group and insult history (oldest dropped first).
inline constexpr int64_t history_bytes = 1 << 20;
/// Connections one peer host may hold open to a client's private-chat
/// service; more are closed at once (a client needs one per conversation
/// partner at most, so a host with many users stays far below).
inline constexpr int64_t max_connections_per_host = 64;
/// How often a client's private-chat service calls itself through a new
/// connection; two failures in a row restart it on the same port.
inline constexpr auto listener_check_interval = 10s;
/// Groups one client may join at once (each has its own AMQP connection).
inline constexpr int64_t max_groups = 32;
/// A private message must be delivered within this long, or it fails.
inline constexpr auto send_timeout = 2s;
/// Private messages one conversation has in flight at once to a chat-actors
/// peer (on one ordered stream; one at a time to original clients).
inline constexpr int64_t private_window = 32;
/// A conversation's stream (and its connection) to a chat-actors peer is
/// closed after this long without a message; the next one opens another.
inline constexpr auto private_stream_idle = 60s;
/// Times a private message is sent again after UNAVAILABLE (a broken
/// connection, a peer that moved) with a fresh lookup, before it fails;
/// a delivery in between starts the count again.
inline constexpr int64_t private_send_retries = 3;
/// Calls one connection to a client's private-chat service may have open
/// at once (HTTP/2 streams; a chat-actors peer keeps one open).
inline constexpr int64_t private_streams_per_connection = 16;
/// Messages of one incoming private stream that may wait for their answer,
/// or for their receipt to be written, before the service reads on (a
/// sender past its window, or one that reads no receipts, waits).
inline constexpr int64_t private_stream_unanswered = 64;
/// Longest private message text, in bytes of UTF-8.
inline constexpr int64_t max_message_bytes = 4096;
/// Group messages that may wait for the broker's confirm per group (typed
/// while it is unreachable, or in flight); one more is refused.
inline constexpr int64_t outbox_size = 1000;

/// Client: lines typed for a private chat go to the input history file too
/// (off: they are recalled in the session only, never written to disk).
inline constexpr bool history_private = false;
/// Client: bytes of events that may wait for a slow terminal or a reader of
/// stdout that does not keep up; more are dropped with one notice saying how
/// many. Above a full chat history (history-bytes), so /history never drops.
inline constexpr int64_t output_queue = 4 << 20;
/// Full-screen client: ring the terminal bell when a line mentions the user
/// or a new private chat starts.
inline constexpr bool bell = true;
/// Full-screen client: lines each window keeps (older ones are dropped).
inline constexpr int64_t scrollback = 2000;
/// Client colours ([chat.theme]; config/theme.hpp): a colour name or an
/// xterm index 0..255 as text; "default" is the terminal's own colour, and
/// what is dim (timestamps, notices) or bold (names) stays so. These give
/// the look the client had before it had a theme.
inline constexpr std::string_view theme_timestamp = "default";
inline constexpr std::string_view theme_notice = "default";
inline constexpr std::string_view theme_error = "red";
inline constexpr std::string_view theme_own_name = "default";
inline constexpr std::string_view theme_unverified = "yellow";
/// Full screen: "default" = reverse video.
inline constexpr std::string_view theme_highlight = "default";
inline constexpr std::string_view theme_read_marker = "default";
/// Full screen: both "default" = reverse video.
inline constexpr std::string_view theme_status_fg = "default";
inline constexpr std::string_view theme_status_bg = "default";
/// The colours of names (xterm indexes), picked by a hash of the name: hues
/// far apart from each other (CIE76 ΔE ≥ 30 between any two) and from the
/// red of errors, each readable on black and on white (contrast ≥ 3),
/// ordered by hue (tests/cli/client/render_test.cpp measures it).
inline constexpr std::array<int, 12> theme_nicks{32,  27,  93,  133, 164, 162,
                                                 197, 131, 166, 100, 28,  29};

/// Client: directory of per-chat logs (one file per chat and day, mode
/// 0600); empty = no logs.
inline constexpr std::string_view log_dir = "";

/// Client: where accepted files go; empty = the XDG download directory,
/// else ~/Downloads (adapters/client/file_names.hpp).
inline constexpr std::string_view download_dir = "";

/// Server node: start and supervise redis-server/rabbitmq-server when
/// nothing answers on the configured ports.
inline constexpr bool managed = true;
/// Where managed services keep their data; empty = $XDG_STATE_HOME or
/// ~/.local/state, then /chat-actors.
inline constexpr std::string_view state_dir = "";

/// A cluster of server nodes: the shared secret; empty = a
/// single node.
inline constexpr std::string_view cluster_secret = "";
/// Server: a running member to join; empty = start alone or rejoin the
/// members known from the last run.
inline constexpr std::string_view join = "";
/// Server: our LAN address in the cluster; empty = detected.
inline constexpr std::string_view node_address = "";
inline constexpr uint16_t sentinel_port = 26379;
inline constexpr uint16_t sentinel_tls_port = 26380;
/// How long a joining node waits for the member it names.
inline constexpr auto join_timeout = 6s;
/// How long a client waits for a server node's answer to its broker account
/// request (the first request for a name creates the account: seconds).
inline constexpr auto account_fetch_timeout = 15s;
/// How long the LAN locator waits for the account actor's answer.
inline constexpr auto account_reply_timeout = 60s;
/// How often a cluster node refreshes its member entry and settings.
inline constexpr auto cluster_refresh = 2s;

/// Server: memory a managed Redis may use (`maxmemory`, bytes); past it the
/// least recently used keys go first (`allkeys-lru`): live leases are
/// refreshed every TTL/3, so what a member filled it with goes before them.
inline constexpr int64_t redis_max_memory = int64_t{256} << 20;
/// Server: the largest group message the broker accepts, past
/// `max_message_bytes` of text (`max_message_size`, bytes; signatures,
/// sender proof, AMQP headers).
inline constexpr int64_t broker_message_headroom = 16 << 10;
/// Server: bytes a member's queue may hold (a policy on `<user>:<group>`
/// and discovery queues; the oldest messages are dropped past it, so a
/// member's missed messages while away fit, a flood does not).
inline constexpr int64_t member_queue_max_bytes = int64_t{64} << 20;
/// Server: broker connections and channels one user account may hold (a
/// client opens one connection per group, `max_groups`, and a few more).
inline constexpr int64_t broker_user_connections = 48;
inline constexpr int64_t broker_user_channels = 256;
/// Server: the same for the join code's shared account (`chat-actors who`
/// and account requests of every member).
inline constexpr int64_t broker_member_connections = 64;
/// Server: how often the server node checks that a running service still
/// answers as it should, and how many failed checks in a row restart it.
inline constexpr auto service_liveness_interval = 2s;
inline constexpr int64_t service_liveness_failures = 3;

/// Registry lease: the name expires unless refreshed every TTL/3.
inline constexpr auto lease_ttl = 15s;

/// x-expires of a user's durable queues (`<user>:<group>`, discovery): a
/// crashed session's queues vanish this long after its last connection.
/// Longer than the lease, so a broker restart or a short outage keeps them.
inline constexpr auto queue_expiry = 60s;
/// Secure mode: group membership lasts until /leave. What is said while a
/// member is away waits in its subscription queue this long (x-message-ttl),
/// and the queue of a member who never returns goes this long after its
/// last use (x-expires).
inline constexpr auto away_keep = 720h;
/// Deliveries a group's channel may hold unacknowledged: bounds what a
/// receiver buffers however fast others send or however much waited while
/// it was away (rabbitmq-c's frame queue grows without it, and each read
/// walks that queue).
inline constexpr int64_t group_prefetch = 256;
/// What waits per group for a member who is away (x-max-length): beyond it
/// the oldest messages go first.
inline constexpr int64_t away_max_messages = 10000;
/// Secure mode: private messages that wait for a user who is away, per
/// recipient (x-max-length with reject-publish: the broker refuses more,
/// and the sender is told "<name>'s inbox is full").
inline constexpr int64_t inbox_max_messages = 1000;
/// How often the server node binds newly recorded subscriptions to the
/// durable twin (so they survive the next broker restart).
inline constexpr auto topology_interval = 2s;
/// A discovery round: request, collect answers, report (docs/protocol.md: 3 s).
inline constexpr auto discovery_interval = 3s;
/// How long after its start a discovery round reports: the registry's list
/// of who is online takes one Redis round trip (6 ms at 1000 users), the
/// AMQP answers of original clients longer (those that miss it count from
/// the next round on).
inline constexpr auto discovery_settle = 50ms;

/// Timeout of one Redis command (connect, request or reply).
inline constexpr auto redis_timeout = 1s;
/// The same through the client's TLS tunnel (secure mode): a new connection
/// first waits for a TLS handshake with the server node, which a loaded
/// machine took more than 1 s for (e2e.descriptor_flood, e2e.slow_reader).
inline constexpr auto tunnel_redis_timeout = 3s;

// -- retries (config/backoff.hpp) --------------------------------------------

/// Restarts of a managed service (redis-server, RabbitMQ): never given up
/// (the node is useless without them), the delay grows to `max` (a run of
/// 30 s counts as stable and starts from `min` again).
inline constexpr backoff_policy service_restarts{250ms, 30s, 0.0, 0};
/// Restarts of a failed supervised actor before the supervisor gives up.
inline constexpr backoff_policy child_restarts{1s, 8s, 0.0, 5};
/// Re-joins of a failed group actor (its queue keeps what arrives).
inline constexpr backoff_policy group_rejoins{1s, 4s, 0.0, 3};
/// Reconnects to the broker and reopening of a failed channel; the jitter
/// spreads the clients' reconnects after a broker restart.
inline constexpr backoff_policy broker_reconnects{250ms, 8s, 0.5, 0};
/// A publish the broker has neither confirmed nor refused after this long
/// is published again on a fresh opening of its channel (a quorum queue's
/// publisher may hang on a leader that died).
inline constexpr auto broker_confirm_timeout = 5s;
/// A message published again (refused, unconfirmed) for this long since it
/// first went out is given up and reported to its sender.
inline constexpr auto broker_delivery_deadline = 60s;

} // namespace chat::defaults
