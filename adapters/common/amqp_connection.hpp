#pragma once

// One rabbitmq-c connection and its channels. rabbitmq-c is not
// thread-safe: an instance belongs to exactly one thread (a detached actor
// or the amqp_mux thread). Channels multiplex on it: a channel error closes
// that channel only (the connection stays up), a connection error breaks all.

#include "adapters/common/server_list.hpp"
#include "config/join_code.hpp"

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace caf {
class actor_system_config;
}

namespace chat {

/// An AMQP channel number (1 to 65535; 0 is the connection itself).
using channel_id = uint16_t;

/// The channel `amqp_connection::open` opens.
inline constexpr channel_id first_channel = 1;

struct amqp_settings {
  std::string host = "127.0.0.1";
  uint16_t port = 5672;
  std::string vhost = "/";
  std::string user = "guest";
  std::string password = "guest";
  caf::timespan timeout = std::chrono::seconds{2};
  int heartbeat_seconds = 10;
  /// Secure mode: AMQP over TLS, accepting exactly the certificate with
  /// this SHA-256 (the join code's; adapters/common/tls.hpp).
  std::optional<fingerprint> tls_pin;
  /// Secure mode: exchanges and queues the server node declares and binds.
  /// They are declared passively (which needs no permission: members may
  /// not configure them), and bindings to them are left to the server.
  std::set<std::string> server_owned;
  /// A cluster of server nodes: queues marked `replicated` are declared as
  /// quorum queues (replicated on every node's RabbitMQ).
  bool quorum_queues = false;
  /// A cluster: the nodes to try (`host` is then ignored); the one that
  /// answers is remembered and tried first next time.
  std::shared_ptr<server_list> servers;
};

/// A queue as we declare it; `expires_ms` > 0 adds `x-expires`.
struct amqp_queue_spec {
  std::string name;
  bool durable = true;
  bool exclusive = false;
  bool auto_delete = false;
  int64_t expires_ms = 0;
  /// Must survive the loss of a broker node: a quorum queue when the
  /// connection's `quorum_queues` is set (durable, never exclusive).
  bool replicated = false;
  /// x-message-ttl: messages older than this are dropped (0: kept).
  int64_t message_ttl_ms = 0;
  /// x-max-length: beyond it the oldest messages are dropped (0: no bound).
  int64_t max_length = 0;
  /// x-overflow, what a full queue does (empty: the broker's default,
  /// drop the oldest). "reject-publish": the broker nacks the new message,
  /// so its sender learns it was not kept.
  std::string overflow = {};
};

/// A message to publish. Headers are string-valued AMQP table entries.
struct amqp_message {
  std::string exchange;
  std::string routing_key;
  std::string body;
  bool persistent = false;
  /// The broker returns it (basic.return) when no queue is bound for it.
  bool mandatory = false;
  std::string message_id;
  std::map<std::string, std::string> headers;
  /// When it was sent, in seconds since the epoch (0: not stamped).
  int64_t timestamp = 0;
};

/// A message the broker delivered to one of our consumers.
struct amqp_delivery {
  /// Which opening of the owning channel got it: tags die with it.
  uint64_t epoch = 0;
  uint64_t tag = 0;
  bool redelivered = false;
  std::string consumer_tag;
  std::string exchange;
  std::string routing_key;
  std::string body;
  std::string message_id;
  /// String-valued headers only (others are skipped).
  std::map<std::string, std::string> headers;
  /// The sender's timestamp property, seconds since the epoch (0: none).
  int64_t timestamp = 0;

  std::string header(const std::string& key) const {
    auto i = headers.find(key);
    return i == headers.end() ? std::string{} : i->second;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, amqp_delivery& x) {
  return f(caf::meta::type_name("amqp_delivery"), x.epoch, x.tag, x.redelivered,
           x.consumer_tag, x.exchange, x.routing_key, x.body, x.message_id, x.headers,
           x.timestamp);
}

/// What reading the connection produced.
struct amqp_event {
  /// failed: the connection is broken. channel_closed: the broker closed
  /// `channel` (the others go on). cancelled: the broker cancelled the
  /// consumer `msg.consumer_tag` (its queue was deleted).
  enum kind_t {
    none,
    delivery,
    ack,
    nack,
    returned,
    channel_closed,
    cancelled,
    failed
  } kind = none;
  channel_id channel = 0;
  /// The delivered message, or the returned one (its message_id).
  amqp_delivery msg;
  /// Publisher confirm: sequence number and whether it covers all below.
  uint64_t seq = 0;
  bool multiple = false;
  caf::error err;
};

/// chat.amqp-port, -vhost, -user and -password, for `host`.
amqp_settings read_amqp_settings(const caf::actor_system_config& cfg,
                                 const std::string& host);

class amqp_connection {
public:
  ~amqp_connection();
  amqp_connection(const amqp_connection&) = delete;
  amqp_connection& operator=(const amqp_connection&) = delete;

  /// Connects, logs in (asking the broker to tell consumers whose queue
  /// is deleted) and opens `first_channel`.
  static std::unique_ptr<amqp_connection> open(const amqp_settings& settings,
                                               caf::error& err);

  /// Opens `ch` (again, after the broker closed it).
  caf::error open_channel(channel_id ch);
  caf::error close_channel(channel_id ch);
  bool is_open(channel_id ch) const;
  /// The connection failed: every channel is gone.
  bool is_broken() const;

  /// Declares an exchange (passive = false) with the given durability.
  caf::error declare_exchange(channel_id ch, const std::string& name,
                              const std::string& type, bool durable);

  /// `waiting`, if given, receives the number of messages ready in the queue.
  caf::error declare_queue(channel_id ch, const amqp_queue_spec& spec,
                           uint32_t* waiting = nullptr);
  caf::error delete_queue(channel_id ch, const std::string& name);
  caf::error purge_queue(channel_id ch, const std::string& name);
  caf::error bind_queue(channel_id ch, const std::string& queue,
                        const std::string& exchange, const std::string& key);
  /// Exchange-to-exchange binding: what `source` routes with `key` also
  /// goes to `destination`.
  caf::error bind_exchange(channel_id ch, const std::string& destination,
                           const std::string& source, const std::string& key);
  /// Prefetch limit of the channel (basic.qos).
  caf::error qos(channel_id ch, uint16_t prefetch);
  /// Starts a consumer; returns its tag in `tag`.
  caf::error consume(channel_id ch, const std::string& queue, bool no_ack,
                     std::string& tag);
  caf::error cancel(channel_id ch, const std::string& tag);
  /// Puts the channel in confirm mode: its publishes count from 1.
  caf::error enable_confirms(channel_id ch);
  /// Publishes; `seq` is the confirm sequence number (if confirms are on).
  caf::error publish(channel_id ch, const amqp_message& msg, uint64_t& seq);
  /// Acknowledges `tag` and, with `multiple`, every delivery before it.
  caf::error ack(channel_id ch, uint64_t tag, bool multiple = false);
  caf::error reject(channel_id ch, uint64_t tag, bool requeue);

  /// Reads at most one delivery or method; waits up to `timeout` (0 = only
  /// what is already there). Also sends and checks heartbeats.
  amqp_event next_event(caf::timespan timeout);

  /// Whether a frame is already buffered (poll() would not see it).
  bool has_buffered() const;

  /// Whether frames that arrived during a synchronous call wait to be read.
  bool has_queued_frames() const;

  /// The socket, for poll().
  int fd() const;

  /// Skip the closing handshake on a dead connection.
  void mark_broken();

private:
  /// `open` for `settings.host` alone.
  static std::unique_ptr<amqp_connection> open_one(const amqp_settings& settings,
                                                   caf::error& err);

  amqp_connection() = default;
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace chat
