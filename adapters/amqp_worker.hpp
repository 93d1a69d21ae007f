#pragma once

// One AMQP connection on its own thread, for one owning actor. The owner
// describes its topology (exchanges, queues, bindings, consumers) and the
// worker re-asserts all of it after every reconnect (backoff with jitter),
// publishes with confirms (unconfirmed messages are sent again after a
// reconnect) and hands deliveries, confirms and link status to callbacks,
// which `anon_send` into the owner. The destructor runs the commands posted
// so far (e.g. deleting queues on a clean exit), then stops and joins.

#include "adapters/amqp_connection.hpp"

#include <atomic>
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

/// Reconnect delays: doubling from min to max, plus up to 50 % jitter.
struct amqp_backoff {
  caf::timespan min = std::chrono::milliseconds{250};
  caf::timespan max = std::chrono::seconds{8};
};

class amqp_worker {
public:
  struct callbacks {
    std::function<void(amqp_delivery)> delivery;
    /// A published message is on the broker (empty error) or refused.
    std::function<void(uint64_t id, caf::error)> confirmed;
    /// Link status changes: up with "connected"/"reconnected", or down with why.
    std::function<void(bool up, std::string text)> status;
  };

  amqp_worker(amqp_settings settings, callbacks cbs, amqp_backoff t = {});
  ~amqp_worker();
  amqp_worker(const amqp_worker&) = delete;
  amqp_worker& operator=(const amqp_worker&) = delete;

  /// Non-durable unless `durable` (PROTOCOL.md's exchanges are not).
  void declare_exchange(std::string name, std::string type, bool durable = false);
  /// Exchange-to-exchange binding (after the exchanges are declared).
  void bind_exchange(std::string destination, std::string source, std::string key);
  /// `fresh`: delete a leftover of an earlier session first (once).
  /// `purge`: drop what is queued, once.
  void declare_queue(amqp_queue_spec spec, bool fresh, bool purge);
  void bind(std::string queue, std::string exchange, std::string key);
  void consume(std::string queue, uint16_t prefetch, bool no_ack);
  void cancel(std::string queue);
  /// Deletes the queue now (if connected) and forgets it.
  void delete_queue(std::string name);
  /// `id` identifies the message in `confirmed`. Kept and published again
  /// after a reconnect until the broker confirms it; a mandatory message
  /// the broker returned (no queue for it) is confirmed with an error.
  void publish(uint64_t id, amqp_message msg);
  /// Deliveries of an older connection (`epoch`) are ignored: the broker
  /// requeued them when it closed.
  void ack(uint64_t epoch, uint64_t tag);
  void reject(uint64_t epoch, uint64_t tag, bool requeue);
  /// Calls `fn` (on the worker thread) once everything posted before is
  /// applied on a live connection.
  void barrier(std::function<void()> fn);

private:
  struct queue_entry {
    amqp_queue_spec spec;
    bool fresh = false;
    bool purge = false;
    std::vector<std::pair<std::string, std::string>> bindings;
    bool consuming = false;
    uint16_t prefetch = 0;
    bool no_ack = false;
    std::string tag;
  };

  void post(std::function<void()> cmd);
  void run();
  bool run_commands();
  caf::error connect();
  caf::error apply(queue_entry& q);
  caf::error start_consumer(queue_entry& q);
  void pump();
  /// A publisher confirm (ack or nack) for `seq`, and all below if `multiple`.
  void settle(uint64_t seq, bool multiple, bool acked);
  void lost(const caf::error& err);
  void wait_for_wakeup(caf::timespan timeout);
  queue_entry* find(const std::string& name);

  amqp_settings settings_;
  callbacks cbs_;
  amqp_backoff timing_;
  int wakeup_fd_ = -1;
  std::mutex mtx_;
  std::deque<std::function<void()>> commands_;
  std::atomic<bool> stopping_{false};

  // Worker thread only.
  std::unique_ptr<amqp_connection> conn_;
  uint64_t epoch_ = 0;
  bool ever_up_ = false;
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

  caf::error assert_exchanges();

  std::vector<exchange_entry> exchanges_;
  std::vector<exchange_binding> exchange_bindings_;
  /// Message ids the broker returned, until their confirm arrives.
  std::set<std::string> returned_;
  std::vector<queue_entry> queues_;
  std::map<uint64_t, amqp_message> outbox_;
  std::map<uint64_t, uint64_t> seq_to_id_;
  std::vector<std::function<void()>> barriers_;

  std::thread thread_;
};

} // namespace chat
