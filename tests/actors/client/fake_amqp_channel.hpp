#pragma once

// An amqp_channel that records what its actor asks for; the test plays the
// broker through the recorded callbacks (deliveries, confirms, status).

#include "actors/client/chat_types.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace chat::test {

/// Everything one fake channel was asked to do, and its owner's callbacks.
struct channel_log {
  amqp_channel::callbacks cbs;
  amqp_channel::options opts;
  std::vector<amqp_queue_spec> queues;
  /// Whether each declared queue was to be deleted first (`fresh`).
  std::vector<bool> fresh;
  /// The owner's declared handlers, by queue: the test says what waits.
  std::map<std::string, amqp_channel::declared_handler> declared;
  /// (queue, exchange, key)
  std::vector<std::tuple<std::string, std::string, std::string>> bindings;
  /// (queue, prefetch, no_ack)
  std::vector<std::tuple<std::string, uint16_t, bool>> consumers;
  std::vector<std::string> cancelled;
  std::vector<std::string> deleted;
  std::vector<std::pair<uint64_t, amqp_message>> published;
  /// (epoch, tag)
  std::vector<std::pair<uint64_t, uint64_t>> acked;
  /// (tag, requeue)
  std::vector<std::pair<uint64_t, bool>> rejected;
  bool closed = false;

  /// The broker has the topology: what `barrier` waited for happens.
  std::vector<std::function<void()>> barriers;
  void run_barriers() {
    for (auto& fn : std::exchange(barriers, {}))
      fn();
  }

  /// A message from `from` in the delivery format of our clients.
  amqp_delivery delivery(uint64_t tag, std::string id, std::string body,
                         std::string from = {}) const {
    amqp_delivery d;
    d.tag = tag;
    d.message_id = std::move(id);
    d.body = std::move(body);
    if (!from.empty())
      d.headers["x-chat-sender"] = std::move(from);
    return d;
  }
};

class fake_amqp_channel : public amqp_channel {
public:
  explicit fake_amqp_channel(std::shared_ptr<channel_log> log) : log_(std::move(log)) {}

  ~fake_amqp_channel() override { log_->closed = true; }

  void declare_queue(amqp_queue_spec spec, bool fresh, bool,
                     declared_handler declared) override {
    log_->fresh.push_back(fresh);
    if (declared)
      log_->declared[spec.name] = std::move(declared);
    log_->queues.push_back(std::move(spec));
  }
  void bind(std::string queue, std::string exchange, std::string key) override {
    log_->bindings.emplace_back(std::move(queue), std::move(exchange), std::move(key));
  }
  void consume(std::string queue, uint16_t prefetch, bool no_ack) override {
    log_->consumers.emplace_back(std::move(queue), prefetch, no_ack);
  }
  void cancel(std::string queue) override { log_->cancelled.push_back(std::move(queue)); }
  void delete_queue(std::string name) override {
    log_->deleted.push_back(std::move(name));
  }
  void publish(uint64_t id, amqp_message msg) override {
    log_->published.emplace_back(id, std::move(msg));
  }
  void ack(uint64_t epoch, uint64_t tag) override {
    log_->acked.emplace_back(epoch, tag);
  }
  void reject(uint64_t, uint64_t tag, bool requeue) override {
    log_->rejected.emplace_back(tag, requeue);
  }
  void barrier(std::function<void()> fn) override {
    log_->barriers.push_back(std::move(fn));
  }

private:
  std::shared_ptr<channel_log> log_;
};

/// An actor that keeps every (event_atom, chat_event) it gets in `events`:
/// the parent of a group or insult actor under test.
inline caf::actor spawn_event_sink(caf::actor_system& sys,
                                   std::shared_ptr<std::vector<chat_event>> events) {
  return sys.spawn([events](caf::event_based_actor*) -> caf::behavior {
    return {[events](event_atom, const chat_event& ev) { events->push_back(ev); }};
  });
}

/// A factory whose every channel records into `log`.
inline amqp_channel_factory record_into(std::shared_ptr<channel_log> log) {
  return [log](amqp_channel::callbacks cbs, amqp_channel::options opts) {
    log->cbs = std::move(cbs);
    log->opts = opts;
    return std::make_unique<fake_amqp_channel>(log);
  };
}

/// A factory that gives every channel a log of its own, kept in `logs` in
/// the order the channels were opened.
inline amqp_channel_factory
record_each(std::shared_ptr<std::vector<std::shared_ptr<channel_log>>> logs) {
  return [logs](amqp_channel::callbacks cbs, amqp_channel::options opts) {
    auto log = std::make_shared<channel_log>();
    log->cbs = std::move(cbs);
    log->opts = opts;
    logs->push_back(log);
    return std::make_unique<fake_amqp_channel>(log);
  };
}

} // namespace chat::test
