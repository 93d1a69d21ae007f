#pragma once

// What an actor needs of the broker: one AMQP channel, described as the
// topology it wants (queues, bindings, consumers) and the messages it
// publishes. The real one (amqp_mux) re-asserts the topology after every
// reconnect or channel error and publishes again what the broker has not
// confirmed; tests inject a recording fake. Every call only records a
// command: results arrive through the callbacks, which `anon_send` into the
// owning actor.

#include "adapters/common/amqp_connection.hpp"

#include <functional>
#include <memory>
#include <string>

namespace chat {

class amqp_channel {
public:
  struct callbacks {
    std::function<void(amqp_delivery)> delivery;
    /// A published message is on the broker (empty error) or refused.
    std::function<void(uint64_t id, caf::error)> confirmed;
    /// Status changes: up with "connected"/"reconnected", or down with why.
    std::function<void(bool up, std::string text)> status;
  };

  struct options {
    /// Publisher confirms; without them a publish is fire-and-forget
    /// (`confirmed` is never called, nothing is published again once it
    /// went out; what is published while the channel is down goes out when
    /// it is back).
    bool confirms = true;
    /// A refusal (basic.nack) is published again on a fresh opening (a
    /// quorum queue between two leaders refuses for a moment). Off where a
    /// refusal is an answer: a queue with `x-overflow=reject-publish` is
    /// full, and the sender must hear so at once.
    bool retry_refused = true;
  };

  /// Closes the channel once the commands posted before have run.
  virtual ~amqp_channel();

  /// Told, on the connection's thread, how many messages are ready in a
  /// queue each time it is declared (at every (re)opening of the channel).
  using declared_handler = std::function<void(uint32_t waiting)>;

  /// `fresh`: delete a leftover of an earlier session first (once).
  /// `purge`: drop what is queued, once.
  virtual void declare_queue(amqp_queue_spec spec, bool fresh, bool purge,
                             declared_handler declared = {}) = 0;
  virtual void bind(std::string queue, std::string exchange, std::string key) = 0;
  virtual void consume(std::string queue, uint16_t prefetch, bool no_ack) = 0;
  virtual void cancel(std::string queue) = 0;
  /// Deletes the queue now (if connected) and forgets it.
  virtual void delete_queue(std::string name) = 0;
  /// `id` identifies the message in `confirmed`. Kept and published again
  /// after a reconnect until the broker confirms it; a mandatory message
  /// the broker returned (no queue for it) is confirmed with an error.
  virtual void publish(uint64_t id, amqp_message msg) = 0;
  /// Deliveries of an older opening (`epoch`) are ignored: the broker
  /// requeued them when the channel closed.
  virtual void ack(uint64_t epoch, uint64_t tag) = 0;
  virtual void reject(uint64_t epoch, uint64_t tag, bool requeue) = 0;
  /// Calls `fn` (on the connection's thread) once everything posted before
  /// is applied on a live channel.
  virtual void barrier(std::function<void()> fn) = 0;
};

/// Opens a channel for an actor (on the client's one connection).
using amqp_channel_factory = std::function<std::unique_ptr<amqp_channel>(
    amqp_channel::callbacks, amqp_channel::options)>;

} // namespace chat
