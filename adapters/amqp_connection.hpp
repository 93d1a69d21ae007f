#pragma once

// One rabbitmq-c connection with one open channel. rabbitmq-c is not
// thread-safe: an instance belongs to exactly one thread (a detached actor
// or an amqp_worker thread).

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace caf {
class actor_system_config;
}

namespace chat {

struct amqp_settings {
  std::string host = "127.0.0.1";
  uint16_t port = 5672;
  std::string vhost = "/";
  std::string user = "guest";
  std::string password = "guest";
  caf::timespan timeout = std::chrono::seconds{2};
  int heartbeat_seconds = 10;
};

/// A queue as we declare it; `expires_ms` > 0 adds `x-expires`.
struct amqp_queue_spec {
  std::string name;
  bool durable = true;
  bool exclusive = false;
  bool auto_delete = false;
  int64_t expires_ms = 0;
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
};

/// A message the broker delivered to one of our consumers.
struct amqp_delivery {
  /// Which connection of the owning worker got it: tags die with it.
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

  std::string header(const std::string& key) const {
    auto i = headers.find(key);
    return i == headers.end() ? std::string{} : i->second;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, amqp_delivery& x) {
  return f(caf::meta::type_name("amqp_delivery"), x.epoch, x.tag, x.redelivered,
           x.consumer_tag, x.exchange, x.routing_key, x.body, x.message_id, x.headers);
}

/// What reading the connection produced.
struct amqp_event {
  enum kind_t { none, delivery, ack, nack, returned, failed } kind = none;
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

  /// Connects, logs in and opens channel 1.
  static std::unique_ptr<amqp_connection> open(const amqp_settings& settings,
                                               caf::error& err);

  /// Declares an exchange (passive = false) with the given durability.
  caf::error declare_exchange(const std::string& name, const std::string& type,
                              bool durable);

  caf::error declare_queue(const amqp_queue_spec& spec);
  caf::error delete_queue(const std::string& name);
  caf::error purge_queue(const std::string& name);
  caf::error bind_queue(const std::string& queue, const std::string& exchange,
                        const std::string& key);
  /// Exchange-to-exchange binding: what `source` routes with `key` also
  /// goes to `destination`.
  caf::error bind_exchange(const std::string& destination, const std::string& source,
                           const std::string& key);
  /// Prefetch limit of the channel (basic.qos).
  caf::error qos(uint16_t prefetch);
  /// Starts a consumer; returns its tag in `tag`.
  caf::error consume(const std::string& queue, bool no_ack, std::string& tag);
  caf::error cancel(const std::string& tag);
  /// Puts the channel in confirm mode: publishes count from 1.
  caf::error enable_confirms();
  /// Publishes; `seq` is the confirm sequence number (if confirms are on).
  caf::error publish(const amqp_message& msg, uint64_t& seq);
  caf::error ack(uint64_t tag);
  caf::error reject(uint64_t tag, bool requeue);

  /// Reads at most one delivery or method; waits up to `timeout` (0 = only
  /// what is already there). Also sends and checks heartbeats.
  amqp_event next_event(caf::timespan timeout);

  /// Whether a frame is already buffered (poll() would not see it).
  bool has_buffered() const;

  /// The socket, for poll().
  int fd() const;

  /// After a channel-level error: acknowledge the close and reopen.
  caf::error reopen_channel();

  /// Skip the closing handshake on a dead connection.
  void mark_broken();

private:
  amqp_connection() = default;
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace chat
