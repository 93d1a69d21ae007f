#include "adapters/amqp_worker.hpp"

#include "config/errors.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <utility>

namespace chat {

namespace {

/// How long the loop sleeps in poll(); heartbeats are served at least this often.
constexpr auto poll_interval_ms = 500;

/// Events handled per wake-up before commands get their turn again.
constexpr int max_events_per_round = 64;

} // namespace

amqp_worker::amqp_worker(amqp_settings settings, callbacks cbs, amqp_backoff t)
    : settings_(std::move(settings)), cbs_(std::move(cbs)), timing_(t) {
  wakeup_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread{[this] { run(); }};
}

amqp_worker::~amqp_worker() {
  stopping_ = true;
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wakeup_fd_, &one, sizeof(one));
  thread_.join();
  close(wakeup_fd_);
}

void amqp_worker::post(std::function<void()> cmd) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    commands_.emplace_back(std::move(cmd));
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wakeup_fd_, &one, sizeof(one));
}

amqp_worker::queue_entry* amqp_worker::find(const std::string& name) {
  for (auto& q : queues_)
    if (q.spec.name == name)
      return &q;
  return nullptr;
}

void amqp_worker::declare_exchange(std::string name, std::string type, bool durable) {
  post([this, x = exchange_entry{name, type, durable}] {
    exchanges_.push_back(x);
    if (conn_)
      if (auto err = conn_->declare_exchange(x.name, x.type, x.durable))
        lost(err);
  });
}

void amqp_worker::bind_exchange(std::string destination, std::string source,
                                std::string key) {
  post([this, b = exchange_binding{destination, source, key}] {
    exchange_bindings_.push_back(b);
    if (conn_)
      if (auto err = conn_->bind_exchange(b.destination, b.source, b.key))
        lost(err);
  });
}

caf::error amqp_worker::assert_exchanges() {
  for (auto& x : exchanges_)
    if (auto err = conn_->declare_exchange(x.name, x.type, x.durable))
      return err;
  for (auto& b : exchange_bindings_)
    if (auto err = conn_->bind_exchange(b.destination, b.source, b.key))
      return err;
  return {};
}

void amqp_worker::declare_queue(amqp_queue_spec spec, bool fresh, bool purge) {
  post([this, spec, fresh, purge] {
    queue_entry q;
    q.spec = spec;
    q.fresh = fresh;
    q.purge = purge;
    queues_.push_back(q);
    if (conn_)
      if (auto err = apply(queues_.back()))
        lost(err);
  });
}

void amqp_worker::bind(std::string queue, std::string exchange, std::string key) {
  post([this, queue, exchange, key] {
    auto q = find(queue);
    if (q == nullptr)
      return;
    q->bindings.emplace_back(exchange, key);
    if (conn_)
      if (auto err = conn_->bind_queue(queue, exchange, key))
        lost(err);
  });
}

void amqp_worker::consume(std::string queue, uint16_t prefetch, bool no_ack) {
  post([this, queue, prefetch, no_ack] {
    auto q = find(queue);
    if (q == nullptr || q->consuming)
      return;
    q->consuming = true;
    q->prefetch = prefetch;
    q->no_ack = no_ack;
    if (conn_)
      if (auto err = start_consumer(*q))
        lost(err);
  });
}

void amqp_worker::cancel(std::string queue) {
  post([this, queue] {
    auto q = find(queue);
    if (q == nullptr || !q->consuming)
      return;
    q->consuming = false;
    if (conn_ && !q->tag.empty())
      if (auto err = conn_->cancel(q->tag))
        lost(err);
    q->tag.clear();
  });
}

void amqp_worker::delete_queue(std::string name) {
  post([this, name] {
    queues_.erase(std::remove_if(queues_.begin(), queues_.end(),
                                 [&](auto& q) { return q.spec.name == name; }),
                  queues_.end());
    if (conn_)
      if (auto err = conn_->delete_queue(name))
        lost(err);
  });
}

void amqp_worker::publish(uint64_t id, amqp_message msg) {
  post([this, id, msg] {
    outbox_.emplace(id, msg);
    if (!conn_)
      return;
    uint64_t seq = 0;
    if (auto err = conn_->publish(msg, seq))
      lost(err);
    else
      seq_to_id_.emplace(seq, id);
  });
}

void amqp_worker::ack(uint64_t epoch, uint64_t tag) {
  post([this, epoch, tag] {
    if (conn_ && epoch == epoch_)
      if (auto err = conn_->ack(tag))
        lost(err);
  });
}

void amqp_worker::reject(uint64_t epoch, uint64_t tag, bool requeue) {
  post([this, epoch, tag, requeue] {
    if (conn_ && epoch == epoch_)
      if (auto err = conn_->reject(tag, requeue))
        lost(err);
  });
}

void amqp_worker::barrier(std::function<void()> fn) {
  post([this, fn] {
    if (conn_)
      fn();
    else
      barriers_.push_back(fn);
  });
}

caf::error amqp_worker::apply(queue_entry& q) {
  if (q.fresh) {
    if (auto err = conn_->delete_queue(q.spec.name))
      return err;
    q.fresh = false;
  }
  if (auto err = conn_->declare_queue(q.spec))
    return err;
  if (q.purge) {
    if (auto err = conn_->purge_queue(q.spec.name))
      return err;
    q.purge = false;
  }
  for (auto& [exchange, key] : q.bindings)
    if (auto err = conn_->bind_queue(q.spec.name, exchange, key))
      return err;
  if (q.consuming)
    return start_consumer(q);
  return {};
}

caf::error amqp_worker::start_consumer(queue_entry& q) {
  if (q.prefetch > 0)
    if (auto err = conn_->qos(q.prefetch))
      return err;
  return conn_->consume(q.spec.name, q.no_ack, q.tag);
}

caf::error amqp_worker::connect() {
  caf::error err;
  conn_ = amqp_connection::open(settings_, err);
  if (!conn_)
    return err;
  // Re-assert everything: a restarted broker lost exchanges and bindings.
  if (auto e = assert_exchanges())
    return e;
  if (auto e = conn_->enable_confirms())
    return e;
  for (auto& q : queues_) {
    q.tag.clear();
    if (auto e = apply(q))
      return e;
  }
  seq_to_id_.clear();
  returned_.clear();
  for (auto& [id, msg] : outbox_) {
    uint64_t seq = 0;
    if (auto e = conn_->publish(msg, seq))
      return e;
    seq_to_id_.emplace(seq, id);
  }
  return {};
}

void amqp_worker::lost(const caf::error& err) {
  if (!conn_)
    return;
  conn_->mark_broken();
  conn_.reset();
  cbs_.status(false, describe(err) + "; reconnecting…");
}

void amqp_worker::wait_for_wakeup(caf::timespan timeout) {
  pollfd p{wakeup_fd_, POLLIN, 0};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  poll(&p, 1, static_cast<int>(ms));
}

bool amqp_worker::run_commands() {
  uint64_t count = 0;
  [[maybe_unused]] auto n = read(wakeup_fd_, &count, sizeof(count));
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    batch.swap(commands_);
  }
  for (auto& cmd : batch)
    cmd();
  return !batch.empty();
}

void amqp_worker::pump() {
  for (int i = 0; i < max_events_per_round && conn_; ++i) {
    auto ev = conn_->next_event(caf::timespan{0});
    switch (ev.kind) {
    case amqp_event::none:
      return;
    case amqp_event::delivery:
      ev.msg.epoch = epoch_;
      cbs_.delivery(std::move(ev.msg));
      break;
    case amqp_event::returned:
      // The broker confirms a returned message as well; remember it until
      // then.
      returned_.insert(ev.msg.message_id);
      break;
    case amqp_event::ack:
    case amqp_event::nack:
      settle(ev.seq, ev.multiple, ev.kind == amqp_event::ack);
      break;
    case amqp_event::failed:
      lost(ev.err);
      return;
    }
  }
}

void amqp_worker::settle(uint64_t seq, bool multiple, bool acked) {
  auto last = seq_to_id_.upper_bound(seq);
  auto first = multiple ? seq_to_id_.begin() : seq_to_id_.find(seq);
  if (first == seq_to_id_.end())
    return;
  for (auto i = first; i != last; ++i) {
    auto msg = outbox_.find(i->second);
    caf::error err;
    if (!acked)
      err = make_error(errc::broker_error, "the broker refused a message");
    else if (msg != outbox_.end() && returned_.erase(msg->second.message_id) != 0)
      err = make_error(errc::undeliverable,
                       "not delivered: no queue is bound for " + msg->second.routing_key);
    if (msg != outbox_.end())
      outbox_.erase(msg);
    cbs_.confirmed(i->second, std::move(err));
  }
  seq_to_id_.erase(first, last);
}

void amqp_worker::run() {
  std::minstd_rand rng{std::random_device{}()};
  auto backoff = timing_.min;
  bool reported_down = false;
  while (!stopping_) {
    if (!conn_) {
      run_commands(); // record topology changes while offline
      if (auto err = connect()) {
        conn_.reset();
        if (!reported_down)
          cbs_.status(false, describe(err) + "; reconnecting…");
        reported_down = true;
        auto jitter = std::uniform_int_distribution<int64_t>{0, backoff.count() / 2}(rng);
        wait_for_wakeup(backoff + caf::timespan{jitter});
        backoff = std::min(backoff * 2, timing_.max);
        continue;
      }
      ++epoch_;
      backoff = timing_.min;
      reported_down = false;
      cbs_.status(true, ever_up_ ? "reconnected" : "connected");
      ever_up_ = true;
      for (auto& fn : std::exchange(barriers_, {}))
        fn();
    }
    run_commands();
    if (!conn_)
      continue;
    if (!conn_->has_buffered()) {
      pollfd fds[2] = {{conn_->fd(), POLLIN, 0}, {wakeup_fd_, POLLIN, 0}};
      poll(fds, 2, poll_interval_ms);
    }
    pump();
  }
  // Commands posted before the stop still run (queue deletion on exit).
  if (conn_)
    run_commands();
  conn_.reset();
}

} // namespace chat
