#include "adapters/common/amqp_mux.hpp"

#include "adapters/common/thread_name.hpp"
#include "config/errors.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace chat {

namespace {

/// How long the loop sleeps in poll(); heartbeats are served at least this often.
constexpr auto poll_interval = std::chrono::milliseconds{500};

/// Events handled per wake-up before commands get their turn again.
constexpr int max_events_per_round = 64;

} // namespace

amqp_channel::~amqp_channel() = default;

// -- the handle an owner holds ------------------------------------------------

class amqp_mux::channel_handle : public amqp_channel {
public:
  channel_handle(std::shared_ptr<amqp_mux> mux, channel_id id)
      : mux_(std::move(mux)), id_(id) {}

  ~channel_handle() override {
    mux_->post([m = mux_.get(), id = id_] {
      if (m->conn_ && m->conn_->is_open(id))
        if (auto err = m->conn_->close_channel(id); err && m->conn_->is_broken())
          m->lost(err);
      m->channels_.erase(id);
      std::lock_guard<std::mutex> guard{m->mtx_};
      m->reserved_.erase(id);
    });
  }

  void declare_queue(amqp_queue_spec spec, bool fresh, bool purge,
                     declared_handler declared) override {
    run([spec, fresh, purge, declared](amqp_mux& m, channel_entry& c) {
      auto& q = c.queues.emplace_back();
      q.spec = spec;
      q.fresh = fresh;
      q.purge = purge;
      q.declared = declared;
      if (m.live(c))
        if (auto err = m.apply(c, q))
          m.failed(c, err);
    });
  }

  void bind(std::string queue, std::string exchange, std::string key) override {
    run([queue, exchange, key](amqp_mux& m, channel_entry& c) {
      auto q = c.find(queue);
      if (q == nullptr)
        return;
      q->bindings.emplace_back(exchange, key);
      if (m.live(c))
        if (auto err = m.conn_->bind_queue(c.id, queue, exchange, key))
          m.failed(c, err);
    });
  }

  void consume(std::string queue, uint16_t prefetch, bool no_ack) override {
    run([queue, prefetch, no_ack](amqp_mux& m, channel_entry& c) {
      auto q = c.find(queue);
      if (q == nullptr || q->consuming)
        return;
      q->consuming = true;
      q->prefetch = prefetch;
      q->no_ack = no_ack;
      if (m.live(c))
        if (auto err = m.start_consumer(c, *q))
          m.failed(c, err);
    });
  }

  void cancel(std::string queue) override {
    run([queue](amqp_mux& m, channel_entry& c) {
      auto q = c.find(queue);
      if (q == nullptr || !q->consuming)
        return;
      q->consuming = false;
      if (m.live(c) && !q->tag.empty())
        if (auto err = m.conn_->cancel(c.id, q->tag))
          m.failed(c, err);
      q->tag.clear();
    });
  }

  void delete_queue(std::string name) override {
    run([name](amqp_mux& m, channel_entry& c) {
      std::erase_if(c.queues, [&](auto& q) { return q.spec.name == name; });
      if (m.live(c))
        if (auto err = m.conn_->delete_queue(c.id, name))
          m.failed(c, err);
    });
  }

  void publish(uint64_t id, amqp_message msg) override {
    run([id, msg = std::move(msg)](amqp_mux& m, channel_entry& c) {
      auto& out = c.outbox[id];
      out.msg = msg;
      if (!m.live(c))
        return;
      if (auto err = m.send(c, id, out))
        m.failed(c, err);
      else if (!c.opts.confirms)
        c.outbox.erase(id); // sent is all it gets
    });
  }

  void ack(uint64_t epoch, uint64_t tag) override {
    // Sent once the current batch of commands has run (flush_acks).
    run([epoch, tag](amqp_mux& m, channel_entry& c) {
      if (m.live(c) && epoch == c.epoch)
        c.acks.push_back(tag);
    });
  }

  void reject(uint64_t epoch, uint64_t tag, bool requeue) override {
    run([epoch, tag, requeue](amqp_mux& m, channel_entry& c) {
      if (!m.live(c) || epoch != c.epoch)
        return;
      c.unacked.erase(tag);
      if (auto err = m.conn_->reject(c.id, tag, requeue))
        m.failed(c, err);
    });
  }

  void barrier(std::function<void()> fn) override {
    run([fn = std::move(fn)](amqp_mux& m, channel_entry& c) {
      if (m.live(c))
        fn();
      else
        c.barriers.push_back(fn);
    });
  }

private:
  /// Runs `fn` on the mux thread, possibly after the handle is gone (the
  /// close its destructor posts comes after), so `fn` must not use `this`.
  void run(std::function<void(amqp_mux&, channel_entry&)> fn) {
    mux_->with_channel(id_, std::move(fn));
  }

  std::shared_ptr<amqp_mux> mux_;
  channel_id id_;
};

// -- construction and commands ------------------------------------------------

amqp_mux::queue_entry* amqp_mux::channel_entry::find(const std::string& name) {
  for (auto& q : queues)
    if (q.spec.name == name)
      return &q;
  return nullptr;
}

bool amqp_mux::channel_entry::auto_acked(const std::string& consumer_tag) const {
  for (auto& q : queues)
    if (q.tag == consumer_tag)
      return q.no_ack;
  return false;
}

amqp_mux::amqp_mux(amqp_settings settings, amqp_mux_limits lim)
    : settings_(std::move(settings)), retry_(lim.retry),
      confirm_timeout_(lim.confirm_timeout), delivery_deadline_(lim.delivery_deadline) {
  wakeup_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread{[this] {
    name_this_thread("chat.amqp");
    run();
  }};
}

amqp_mux::~amqp_mux() {
  stopping_ = true;
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wakeup_fd_, &one, sizeof(one));
  thread_.join();
  close(wakeup_fd_);
}

void amqp_mux::post(std::function<void()> cmd) {
  bool first = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    first = commands_.empty();
    commands_.emplace_back(std::move(cmd));
  }
  // Commands posted while earlier ones still wait ride on the wake-up of
  // the first: the thread reads the eventfd before it takes the queue, so
  // a queue seen non-empty is taken after that wake-up. Saves one wake-up
  // of the thread per ack under load.
  if (first) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = write(wakeup_fd_, &one, sizeof(one));
  }
}

void amqp_mux::with_channel(channel_id id,
                            std::function<void(amqp_mux&, channel_entry&)> fn) {
  post([this, id, fn = std::move(fn)] {
    if (auto i = channels_.find(id); i != channels_.end())
      fn(*this, i->second);
  });
}

void amqp_mux::declare_exchange(std::string name, std::string type, bool durable) {
  post([this, x = exchange_entry{name, type, durable}] {
    exchanges_.push_back(x);
    if (conn_)
      if (auto err = conn_->declare_exchange(first_channel, x.name, x.type, x.durable))
        lost(err);
  });
}

void amqp_mux::bind_exchange(std::string destination, std::string source,
                             std::string key) {
  post([this, b = exchange_binding{destination, source, key}] {
    exchange_bindings_.push_back(b);
    if (conn_)
      if (auto err = conn_->bind_exchange(first_channel, b.destination, b.source, b.key))
        lost(err);
  });
}

channel_id amqp_mux::free_channel_id() const {
  channel_id id = first_channel + 1;
  while (reserved_.count(id) != 0)
    ++id;
  return id;
}

std::unique_ptr<amqp_channel> amqp_mux::open_channel(amqp_channel::callbacks cbs,
                                                     amqp_channel::options opts) {
  channel_id id;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    id = free_channel_id();
    reserved_.insert(id);
  }
  post([this, id, cbs = std::move(cbs), opts] {
    auto& c = channels_[id];
    c.id = id;
    c.cbs = cbs;
    c.opts = opts;
    c.reopen = backoff{retry_};
    if (conn_)
      if (auto err = open(c))
        failed(c, err);
  });
  return std::make_unique<channel_handle>(shared_from_this(), id);
}

amqp_channel_factory amqp_mux::factory() {
  return [self = shared_from_this()](amqp_channel::callbacks cbs,
                                     amqp_channel::options opts) {
    return self->open_channel(std::move(cbs), opts);
  };
}

// -- the connection's thread --------------------------------------------------

bool amqp_mux::live(const channel_entry& c) const {
  return conn_ && c.live;
}

caf::error amqp_mux::assert_exchanges(channel_id ch) {
  for (auto& x : exchanges_)
    if (auto err = conn_->declare_exchange(ch, x.name, x.type, x.durable))
      return err;
  for (auto& b : exchange_bindings_)
    if (auto err = conn_->bind_exchange(ch, b.destination, b.source, b.key))
      return err;
  return {};
}

caf::error amqp_mux::apply(channel_entry& c, queue_entry& q) {
  if (q.fresh) {
    if (auto err = conn_->delete_queue(c.id, q.spec.name))
      return err;
    q.fresh = false;
  }
  uint32_t waiting = 0;
  if (auto err = conn_->declare_queue(c.id, q.spec, &waiting))
    return err;
  if (q.declared)
    q.declared(waiting);
  if (q.purge) {
    if (auto err = conn_->purge_queue(c.id, q.spec.name))
      return err;
    q.purge = false;
  }
  for (auto& [exchange, key] : q.bindings)
    if (auto err = conn_->bind_queue(c.id, q.spec.name, exchange, key))
      return err;
  if (q.consuming)
    return start_consumer(c, q);
  return {};
}

caf::error amqp_mux::start_consumer(channel_entry& c, queue_entry& q) {
  if (q.prefetch > 0)
    if (auto err = conn_->qos(c.id, q.prefetch))
      return err;
  return conn_->consume(c.id, q.spec.name, q.no_ack, q.tag);
}

caf::error amqp_mux::send(channel_entry& c, uint64_t id, outgoing& out) {
  uint64_t seq = 0;
  if (auto err = conn_->publish(c.id, out.msg, seq))
    return err;
  auto now = clock::now();
  if (out.first_sent == clock::time_point{})
    out.first_sent = now;
  if (c.opts.confirms)
    c.seq_to_id.emplace(seq, in_flight{id, now});
  return {};
}

caf::error amqp_mux::open(channel_entry& c) {
  if (auto err = conn_->open_channel(c.id))
    return err;
  // A channel error may have been someone deleting our exchanges.
  if (c.failed)
    if (auto err = assert_exchanges(c.id))
      return err;
  if (c.opts.confirms)
    if (auto err = conn_->enable_confirms(c.id))
      return err;
  for (auto& q : c.queues) {
    q.tag.clear();
    if (auto err = apply(c, q))
      return err;
  }
  c.seq_to_id.clear();
  c.returned.clear();
  c.unacked.clear(); // the broker requeued them with the old channel
  c.acks.clear();
  for (auto& [id, out] : c.outbox)
    if (auto err = send(c, id, out))
      return err;
  if (!c.opts.confirms)
    c.outbox.clear(); // sent is all they get
  c.live = true;
  c.failed = false;
  c.said_down = false;
  c.reopen.reset();
  ++c.epoch;
  // A refresh is no news for the owner: it never heard of an outage.
  if (!std::exchange(c.refreshing, false))
    c.cbs.status(true, std::exchange(c.ever_up, true) ? "reconnected" : "connected");
  for (auto& fn : std::exchange(c.barriers, {}))
    fn();
  return {};
}

void amqp_mux::failed(channel_entry& c, const caf::error& err) {
  if (!conn_ || conn_->is_broken())
    lost(err);
  else
    channel_down(c, err);
}

void amqp_mux::channel_down(channel_entry& c, const caf::error& err) {
  c.live = false;
  c.failed = true;
  c.refreshing = false; // the owner hears of this outage
  // Closing it ourselves (after a cancelled consumer) requeues what we hold.
  if (conn_->is_open(c.id))
    if (auto e = conn_->close_channel(c.id); e && conn_->is_broken()) {
      lost(e);
      return;
    }
  c.retry_at = clock::now() + c.reopen.next().value_or(retry_.max);
  if (!std::exchange(c.said_down, true))
    c.cbs.status(false, describe(err) + "; reopening the channel…");
}

void amqp_mux::reopen_due_channels() {
  auto now = clock::now();
  for (auto& [id, c] : channels_) {
    if (!conn_)
      return;
    // Frames of a closed opening may still wait in rabbitmq-c's queue
    // (it queues what arrives during a synchronous call): they must be
    // read, and dropped, before the channel number means a new opening,
    // or an old confirm would settle a new publish.
    if (conn_->has_queued_frames())
      return;
    if (!c.live && (c.failed || c.refreshing) && c.retry_at <= now)
      if (auto err = open(c))
        failed(c, err);
  }
}

void amqp_mux::refresh(channel_entry& c, caf::timespan delay) {
  auto now = clock::now();
  for (auto i = c.outbox.begin(); i != c.outbox.end();) {
    auto first = i->second.first_sent;
    if (first == clock::time_point{} || now - first < delivery_deadline_) {
      ++i;
      continue;
    }
    auto id = i->first;
    i = c.outbox.erase(i);
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(delivery_deadline_);
    c.cbs.confirmed(id, make_error(errc::broker_error,
                                   "not delivered: no broker node took it within " +
                                       std::to_string(secs.count()) + " s"));
  }
  c.live = false;
  c.refreshing = true;
  c.seq_to_id.clear();
  c.returned.clear();
  if (conn_->is_open(c.id))
    if (auto err = conn_->close_channel(c.id); err && conn_->is_broken()) {
      lost(err);
      return;
    }
  c.retry_at = now + delay;
}

void amqp_mux::check_confirms() {
  auto now = clock::now();
  for (auto& [id, c] : channels_) {
    if (!conn_)
      return;
    if (live(c) && !c.seq_to_id.empty() &&
        now - c.seq_to_id.begin()->second.sent > confirm_timeout_)
      refresh(c, caf::timespan{0});
  }
}

void amqp_mux::lost(const caf::error& err) {
  if (!conn_)
    return;
  conn_->mark_broken();
  conn_.reset();
  for (auto& [id, c] : channels_) {
    c.live = false;
    c.failed = false; // the whole connection is re-established
    c.refreshing = false;
    if (!std::exchange(c.said_down, true))
      c.cbs.status(false, describe(err) + "; reconnecting…");
  }
}

caf::error amqp_mux::connect() {
  caf::error err;
  conn_ = amqp_connection::open(settings_, err);
  if (!conn_)
    return err;
  // Re-assert everything: a restarted broker lost exchanges and bindings.
  return assert_exchanges(first_channel);
}

void amqp_mux::wait(caf::timespan timeout) {
  pollfd p{wakeup_fd_, POLLIN, 0};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  poll(&p, 1, static_cast<int>(ms));
}

bool amqp_mux::run_commands() {
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

void amqp_mux::pump() {
  for (int i = 0; i < max_events_per_round && conn_; ++i) {
    auto ev = conn_->next_event(caf::timespan{0});
    if (ev.kind == amqp_event::none)
      return;
    if (ev.kind == amqp_event::failed) {
      lost(ev.err);
      return;
    }
    auto i_ch = channels_.find(ev.channel);
    if (i_ch == channels_.end())
      continue; // a channel closed meanwhile: the broker requeues
    auto& c = i_ch->second;
    switch (ev.kind) {
    case amqp_event::delivery:
      if (c.live) {
        ev.msg.epoch = c.epoch;
        if (!c.auto_acked(ev.msg.consumer_tag))
          c.unacked.insert(ev.msg.tag);
        c.cbs.delivery(std::move(ev.msg));
      }
      break;
    case amqp_event::returned:
      // The broker confirms a returned message as well; remember it until
      // then.
      if (c.live)
        c.returned.insert(ev.msg.message_id);
      break;
    case amqp_event::ack:
    case amqp_event::nack:
      // Confirms of a closed opening: what they cover is in the outbox
      // and published again.
      if (c.live)
        settle(c, ev.seq, ev.multiple, ev.kind == amqp_event::ack);
      break;
    case amqp_event::channel_closed:
    case amqp_event::cancelled:
      channel_down(c, ev.err);
      break;
    default:
      break;
    }
  }
}

void amqp_mux::settle(channel_entry& c, uint64_t seq, bool multiple, bool acked) {
  auto last = c.seq_to_id.upper_bound(seq);
  auto first = multiple ? c.seq_to_id.begin() : c.seq_to_id.find(seq);
  if (first == c.seq_to_id.end())
    return;
  if (!acked && c.opts.retry_refused) {
    // A refusal (e.g. a quorum queue without a leader for the moment) is
    // not the end of a message: a fresh opening publishes it again, with
    // its id, after a backoff; only the delivery deadline ends it.
    refresh(c, c.reopen.next().value_or(retry_.max));
    return;
  }
  for (auto i = first; i != last; ++i) {
    auto id = i->second.id;
    auto out = c.outbox.find(id);
    caf::error err;
    if (!acked)
      err = make_error(errc::broker_error, "the broker refused a message");
    else if (out != c.outbox.end() && c.returned.erase(out->second.msg.message_id) != 0)
      err = make_error(errc::undeliverable, "not delivered: no queue is bound for " +
                                                out->second.msg.routing_key);
    if (out != c.outbox.end())
      c.outbox.erase(out);
    c.cbs.confirmed(id, std::move(err));
  }
  c.seq_to_id.erase(first, last);
}

void amqp_mux::flush_acks() {
  for (auto& [id, c] : channels_) {
    if (!conn_)
      return;
    if (c.acks.empty())
      continue;
    std::sort(c.acks.begin(), c.acks.end());
    // The longest run of acked tags from the oldest unacked delivery on goes
    // out as one `multiple` ack (a group acks in delivery order, so usually
    // the whole batch); the rest one by one.
    uint64_t upto = 0;
    auto next = c.acks.begin();
    while (!c.unacked.empty() && next != c.acks.end() && *next == *c.unacked.begin()) {
      upto = *next++;
      c.unacked.erase(c.unacked.begin());
    }
    caf::error err;
    if (upto != 0)
      err = conn_->ack(c.id, upto, true);
    for (; next != c.acks.end() && !err; ++next)
      if (c.unacked.erase(*next) != 0)
        err = conn_->ack(c.id, *next);
    c.acks.clear();
    if (err)
      failed(c, err);
  }
}

void amqp_mux::run() {
  backoff reconnect{retry_};
  while (!stopping_) {
    if (!conn_) {
      run_commands(); // record topology changes while offline
      if (auto err = connect()) {
        conn_.reset();
        for (auto& [id, c] : channels_)
          if (!std::exchange(c.said_down, true))
            c.cbs.status(false, describe(err) + "; reconnecting…");
        wait(reconnect.next().value_or(retry_.max));
        continue;
      }
      reconnect.reset();
      for (auto& [id, c] : channels_) {
        if (!conn_)
          break;
        if (auto err = open(c))
          failed(c, err);
      }
    }
    run_commands();
    flush_acks();
    if (!conn_)
      continue;
    reopen_due_channels();
    if (!conn_)
      continue;
    check_confirms();
    if (!conn_)
      continue;
    if (!conn_->has_buffered()) {
      pollfd fds[2] = {{conn_->fd(), POLLIN, 0}, {wakeup_fd_, POLLIN, 0}};
      poll(fds, 2, static_cast<int>(poll_interval.count()));
    }
    pump();
  }
  // Commands posted before the stop still run (queue deletion on exit).
  if (conn_) {
    run_commands();
    flush_acks();
  }
  conn_.reset();
}

} // namespace chat
