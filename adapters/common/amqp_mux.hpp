#pragma once

// The client's one AMQP connection, driven by one thread (rabbitmq-c is not
// thread-safe), with one channel per actor that talks to the broker (each
// group, discovery, insults). Heartbeats, reconnects with backoff and the
// connection-wide topology (exchanges) are handled once, for all channels;
// after a reconnect every channel is reopened, its topology re-asserted and
// its unconfirmed messages published again. A channel error (a refused
// declare, a deleted queue, a cancelled consumer) closes that channel only:
// its owner is told, and the channel is reopened after a backoff while the
// others go on.
//
// Nothing but time ends a message: one the broker refuses (basic.nack) or
// does not confirm within `confirm_timeout` is published again, with its
// id, on a fresh opening of its channel (quietly: the owner sees no
// outage). Only one still unconfirmed `delivery_deadline` after it first
// went out is reported to its owner as not delivered.

#include "adapters/common/amqp_channel.hpp"
#include "config/defaults.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace chat {

/// How long an amqp_mux waits for what.
struct amqp_mux_limits {
  /// Reconnects, and reopening a failed channel.
  backoff_policy retry = defaults::broker_reconnects;
  caf::timespan confirm_timeout = defaults::broker_confirm_timeout;
  caf::timespan delivery_deadline = defaults::broker_delivery_deadline;
};

class amqp_mux : public std::enable_shared_from_this<amqp_mux> {
public:
  explicit amqp_mux(amqp_settings settings, amqp_mux_limits lim = {});
  /// Runs the commands posted so far (e.g. deleting queues on a clean exit)
  /// if connected, then closes the connection.
  ~amqp_mux();
  amqp_mux(const amqp_mux&) = delete;
  amqp_mux& operator=(const amqp_mux&) = delete;

  /// Connection-wide topology, asserted on every (re)connect before any
  /// channel's own. Non-durable unless `durable` (docs/protocol.md's are not).
  void declare_exchange(std::string name, std::string type, bool durable = false);
  /// Exchange-to-exchange binding (after the exchanges are declared).
  void bind_exchange(std::string destination, std::string source, std::string key);

  /// A channel of this connection; it keeps the connection alive.
  std::unique_ptr<amqp_channel> open_channel(amqp_channel::callbacks cbs,
                                             amqp_channel::options opts = {});

  /// Opens channels of this connection (for actors that take a factory).
  amqp_channel_factory factory();

private:
  class channel_handle;
  using clock = std::chrono::steady_clock;

  struct queue_entry {
    amqp_queue_spec spec;
    bool fresh = false;
    bool purge = false;
    amqp_channel::declared_handler declared;
    std::vector<std::pair<std::string, std::string>> bindings;
    bool consuming = false;
    uint16_t prefetch = 0;
    bool no_ack = false;
    std::string tag;
  };

  /// A message of an outbox.
  struct outgoing {
    amqp_message msg;
    /// When it first went out on a live channel (epoch: not yet).
    clock::time_point first_sent{};
  };

  /// A publish waiting for its confirm.
  struct in_flight {
    uint64_t id = 0;
    clock::time_point sent{};
  };

  struct exchange_entry {
    std::string name;
    std::string type;
    bool durable = false;
  };

  struct exchange_binding {
    std::string destination;
    std::string source;
    std::string key;
  };

  /// One owner's channel: what it asked for, kept across reconnects.
  struct channel_entry {
    channel_id id = 0;
    amqp_channel::callbacks cbs;
    amqp_channel::options opts;
    /// Open on the current connection with its topology applied.
    bool live = false;
    bool ever_up = false;
    /// The owner was told that the channel is down (once per outage).
    bool said_down = false;
    /// Closed by a channel error (not by a lost connection): re-assert the
    /// exchanges on it too, someone may have deleted one.
    bool failed = false;
    /// Closed by us to publish again what the broker refused or did not
    /// confirm: reopened at `retry_at` without telling the owner.
    bool refreshing = false;
    /// Bumped on every opening: delivery tags are per opening.
    uint64_t epoch = 0;
    backoff reopen;
    clock::time_point retry_at{};
    std::vector<queue_entry> queues;
    /// Published, not yet confirmed (or, without confirms, not yet sent), by id.
    std::map<uint64_t, outgoing> outbox;
    /// Confirm sequence number → id, oldest first.
    std::map<uint64_t, in_flight> seq_to_id;
    /// Message ids the broker returned, until their confirm arrives.
    std::set<std::string> returned;
    std::vector<std::function<void()>> barriers;
    /// Delivery tags of this opening not yet acked or rejected (consumers
    /// with manual acks only).
    std::set<uint64_t> unacked;
    /// Acks of the current batch of commands, sent by `flush_acks`.
    std::vector<uint64_t> acks;

    queue_entry* find(const std::string& name);
    /// Whether the consumer `consumer_tag` runs without acks.
    bool auto_acked(const std::string& consumer_tag) const;
  };

  void post(std::function<void()> cmd);
  /// Runs `fn` on the entry of `id` (on the thread), if it is still open.
  void with_channel(channel_id id, std::function<void(amqp_mux&, channel_entry&)> fn);
  void run();
  bool run_commands();
  caf::error connect();
  caf::error assert_exchanges(channel_id ch);
  /// Opens `c` on the live connection and re-asserts all it asked for.
  caf::error open(channel_entry& c);
  /// After `open` returned `err`: the connection or only `c` failed.
  void failed(channel_entry& c, const caf::error& err);
  void channel_down(channel_entry& c, const caf::error& err);
  void reopen_due_channels();
  caf::error apply(channel_entry& c, queue_entry& q);
  caf::error start_consumer(channel_entry& c, queue_entry& q);
  caf::error send(channel_entry& c, uint64_t id, outgoing& out);
  void pump();
  /// Closes `c` and reopens it after `delay`, publishing its outbox again;
  /// gives up what has waited longer than the delivery deadline.
  void refresh(channel_entry& c, caf::timespan delay);
  /// Refreshes the channels whose oldest publish waits too long for its
  /// confirm.
  void check_confirms();
  /// A publisher confirm (ack or nack) for `seq`, and all below if `multiple`.
  void settle(channel_entry& c, uint64_t seq, bool multiple, bool acked);
  /// Sends the acks the last batch of commands asked for, as few frames as
  /// the order of delivery allows.
  void flush_acks();
  void lost(const caf::error& err);
  void wait(caf::timespan timeout);
  bool live(const channel_entry& c) const;
  channel_id free_channel_id() const;

  amqp_settings settings_;
  /// Reconnects, and reopening each failed channel.
  backoff_policy retry_;
  caf::timespan confirm_timeout_;
  caf::timespan delivery_deadline_;
  int wakeup_fd_ = -1;
  std::mutex mtx_;
  std::deque<std::function<void()>> commands_;
  std::atomic<bool> stopping_{false};
  /// Channel numbers handed out (the handles reserve them at once).
  std::set<channel_id> reserved_;

  // Thread only.
  std::unique_ptr<amqp_connection> conn_;
  std::vector<exchange_entry> exchanges_;
  std::vector<exchange_binding> exchange_bindings_;
  std::map<channel_id, channel_entry> channels_;

  std::thread thread_;
};

} // namespace chat
