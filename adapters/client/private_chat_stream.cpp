#include "adapters/client/private_chat_stream.hpp"

#include "private_chat_stream.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace chat {

namespace {

using private_chat_stream::Receipt;
using private_chat_stream::Sealed;

/// One incoming stream. Reads run one at a time (so the handler sees the
/// messages in stream order); receipts are written in the order the
/// replies come, one write at a time. It finishes once the client closed
/// its side and every message has its receipt, so no reply outlives it.
class receive_stream final : public grpc::ServerBidiReactor<Sealed, Receipt> {
public:
  receive_stream(grpc::CallbackServerContext* ctx, const incoming_handler& handler,
                 size_t max_unanswered)
      : handler_(handler), max_unanswered_(std::max<size_t>(1, max_unanswered)),
        peer_cert_(client_cert_fingerprint(*ctx)) {
    StartRead(&in_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) { // the client closed its side, or is gone
      std::unique_lock lock{mtx_};
      reading_ = false;
      finish_if_idle(lock);
      return;
    }
    wire_message msg{in_.sender(),      in_.receiver(),     in_.message(), in_.seq(),
                     in_.session_key(), in_.receiver_key(), peer_cert_};
    auto id = in_.id();
    {
      std::lock_guard lock{mtx_};
      ++unanswered_;
    }
    handler_(std::move(msg),
             delivery_reply{[this, id](delivery_status s) { answer(id, std::move(s)); }});
    bool read_on = false;
    {
      std::lock_guard lock{mtx_};
      paused_ = true;
      read_on = take_read_permit();
    }
    if (read_on)
      StartRead(&in_);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock{mtx_};
    outbox_.pop_front();
    if (!ok) // the client is gone: nobody reads the rest
      outbox_.clear();
    Receipt* next = outbox_.empty() ? nullptr : &outbox_.front();
    writing_ = next != nullptr;
    bool read_on = take_read_permit();
    if (next == nullptr && !read_on) {
      finish_if_idle(lock);
      return;
    }
    lock.unlock();
    if (next != nullptr)
      StartWrite(next);
    if (read_on)
      StartRead(&in_);
  }

  void OnDone() override { delete this; }

private:
  void answer(uint64_t id, delivery_status s) {
    std::unique_lock lock{mtx_};
    --unanswered_;
    answered_once_ = true;
    Receipt r;
    r.set_id(id);
    r.set_code(s.code);
    r.set_detail(std::move(s.detail));
    outbox_.push_back(std::move(r));
    Receipt* write = nullptr;
    if (!writing_) {
      writing_ = true;
      write = &outbox_.front();
    }
    bool read_on = take_read_permit();
    lock.unlock();
    if (write != nullptr)
      StartWrite(write);
    if (read_on)
      StartRead(&in_);
  }

  /// Whether to start the next read (mutex held): none is outstanding and
  /// the messages waiting for their answer or for their receipt to be
  /// written leave room (a client that never reads its receipts stops
  /// being read, instead of growing our memory).
  bool take_read_permit() {
    if (!paused_ || !reading_ || !answered_once_ ||
        unanswered_ + outbox_.size() >= max_unanswered_)
      return false;
    paused_ = false;
    return true;
  }

  /// Ends the call once nothing is left to read, answer or write.
  void finish_if_idle(std::unique_lock<std::mutex>& lock) {
    if (reading_ || unanswered_ != 0 || writing_ || finished_)
      return;
    finished_ = true;
    lock.unlock();
    Finish(grpc::Status::OK);
  }

  const incoming_handler& handler_;
  const size_t max_unanswered_;
  /// Of the TLS connection; the same for every message of the stream.
  const std::string peer_cert_;
  Sealed in_;
  std::mutex mtx_;
  /// Receipts to write, the first one in progress while `writing_`.
  std::deque<Receipt> outbox_;
  bool writing_ = false;
  bool reading_ = true;
  /// No read is outstanding: the next one starts when there is room.
  bool paused_ = false;
  /// The first message was answered. Until then the stream reads no
  /// further: the handler may route it through the manager, which spawns
  /// the sender's peer actor; once that actor answered, the rest find it
  /// directly and cannot overtake the first.
  bool answered_once_ = false;
  bool finished_ = false;
  size_t unanswered_ = 0;
};

class stream_service final
    : public private_chat_stream::PrivateChatStream::CallbackService {
public:
  stream_service(incoming_handler handler, size_t max_unanswered)
      : handler_(std::move(handler)), max_unanswered_(max_unanswered) {}

  grpc::ServerBidiReactor<Sealed, Receipt>*
  AddMessages(grpc::CallbackServerContext* ctx) override {
    return new receive_stream(ctx, handler_, max_unanswered_);
  }

private:
  incoming_handler handler_;
  size_t max_unanswered_;
};

using done_fn = std::function<void(delivery_status)>;
using stream_stub_ptr = std::shared_ptr<private_chat_stream::PrivateChatStream::Stub>;

/// One outgoing stream, owned by its stub and, once the stub dropped it
/// while gRPC still ran it, by the graveyard: never freed on gRPC's threads.
/// It takes sends until it breaks or is cancelled.
class send_stream final : public grpc::ClientBidiReactor<Sealed, Receipt> {
public:
  static std::shared_ptr<send_stream>
  open(private_chat_stream::PrivateChatStream::Stub& stub) {
    std::shared_ptr<send_stream> s{new send_stream};
    stub.async()->AddMessages(&s->ctx_, s.get());
    s->StartRead(&s->in_);
    s->StartCall();
    return s;
  }

  /// Queues `msg` and takes `done`; false (and `done` left as it was) if
  /// this stream broke or ended.
  bool send(const wire_message& msg, done_fn& done) {
    std::unique_lock lock{mtx_};
    if (ended_)
      return false;
    auto id = ++last_id_;
    waiting_.emplace(id, std::move(done));
    auto& out = outbox_.emplace_back();
    out.set_id(id);
    out.set_sender(msg.sender);
    out.set_receiver(msg.receiver);
    out.set_message(msg.text);
    out.set_seq(msg.seq);
    out.set_session_key(msg.session_key);
    out.set_receiver_key(msg.receiver_key);
    if (writing_)
      return true;
    writing_ = true;
    lock.unlock();
    StartWrite(&out);
    return true;
  }

  /// Cancels it; the caller keeps it and its channel until OnDone. False
  /// (nothing to keep) if gRPC is done with it already.
  bool bury() {
    {
      std::lock_guard lock{mtx_};
      if (finished_)
        return false;
      buried_ = true;
    }
    ctx_.TryCancel();
    return true;
  }

  /// gRPC is done with it.
  bool finished() {
    std::lock_guard lock{mtx_};
    return finished_;
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock{mtx_};
    outbox_.pop_front();
    if (!ok) { // broken: OnDone fails what is waiting
      outbox_.clear();
      ended_ = true;
      writing_ = false;
      return;
    }
    Sealed* next = outbox_.empty() ? nullptr : &outbox_.front();
    writing_ = next != nullptr;
    lock.unlock();
    if (next != nullptr)
      StartWrite(next);
  }

  void OnReadDone(bool ok) override {
    if (!ok)
      return; // the stream ends; OnDone follows
    std::unique_lock lock{mtx_};
    done_fn done;
    if (auto i = waiting_.find(in_.id()); i != waiting_.end()) {
      done = std::move(i->second);
      waiting_.erase(i);
    }
    delivery_status s{in_.code(), in_.detail()};
    lock.unlock();
    if (done)
      done(std::move(s));
    StartRead(&in_);
  }

  void OnDone(const grpc::Status& status) override;

private:
  send_stream() = default;

  grpc::ClientContext ctx_;
  Receipt in_;
  std::mutex mtx_;
  /// Messages to write, the first one in progress while `writing_`.
  std::deque<Sealed> outbox_;
  bool writing_ = false;
  /// Broke or ended: takes no more sends.
  bool ended_ = false;
  uint64_t last_id_ = 0;
  std::map<uint64_t, done_fn> waiting_;
  /// OnDone ran.
  bool finished_ = false;
  /// The graveyard owns it.
  bool buried_ = false;
};

/// Streams whose stub was dropped (or replaced) while gRPC still ran them,
/// each with its channel's stub. A stream (its ClientContext) holds its
/// channel, and the last reference to a channel must not go on one of
/// gRPC's threads (releasing it may shut down and join the callback
/// completion queue's threads: a one-shot client aborted in 2 of 6 runs).
/// So the peer actor dropping a stub does not wait (it cancels and moves
/// on), nor does OnDone free anything: the next stub made or dropped frees
/// what is done, on its caller's thread, and `drain_private_streams` at
/// exit.
class graveyard {
public:
  static graveyard& instance() {
    static graveyard g;
    return g;
  }

  /// Cancels `stream` and keeps it and `stub` until it is done.
  void bury(std::shared_ptr<send_stream> stream, stream_stub_ptr stub) {
    if (!stream->bury()) {
      stream.reset(); // done already: both may go now, the stream first
      return;
    }
    std::lock_guard lock{mtx_};
    graves_.push_back({std::move(stream), std::move(stub)});
  }

  /// Called by a buried stream's OnDone.
  void wake() {
    std::lock_guard lock{mtx_};
    changed_.notify_all();
  }

  /// Frees what gRPC is done with (the stream, then its channel's stub):
  /// the last reference to a channel must not go on a gRPC thread, whose
  /// threads the channel's release may join.
  void sweep() {
    std::vector<grave> done;
    {
      std::lock_guard lock{mtx_};
      std::erase_if(graves_, [&done](grave& g) {
        if (!g.stream->finished())
          return false;
        done.push_back(std::move(g));
        return true;
      });
    }
    for (auto& g : done)
      g.stream.reset();
  }

  bool drain(std::chrono::milliseconds timeout) {
    bool all_done = false;
    {
      std::unique_lock lock{mtx_};
      all_done = changed_.wait_for(lock, timeout, [this] {
        return std::all_of(graves_.begin(), graves_.end(),
                           [](grave& g) { return g.stream->finished(); });
      });
    }
    sweep();
    if (!all_done) {
      // gRPC still runs them: left alone for good, since freeing them
      // with this object at process exit would race gRPC's shutdown.
      std::lock_guard lock{mtx_};
      new std::vector<grave>(std::move(graves_));
      graves_.clear();
    }
    return all_done;
  }

private:
  struct grave {
    std::shared_ptr<send_stream> stream;
    stream_stub_ptr stub;
  };

  std::mutex mtx_;
  std::condition_variable changed_;
  std::vector<grave> graves_;
};

void send_stream::OnDone(const grpc::Status& status) {
  std::map<uint64_t, done_fn> left;
  {
    std::lock_guard lock{mtx_};
    ended_ = true;
    left.swap(waiting_);
  }
  delivery_status s{static_cast<int32_t>(status.error_code()), status.error_message()};
  if (status.ok())
    s = {static_cast<int32_t>(delivery_code::unavailable), "the stream ended unanswered"};
  for (auto& [id, done] : left) // in send order
    done(s);
  bool buried = false;
  {
    std::lock_guard lock{mtx_};
    finished_ = true;
    buried = buried_;
  }
  // From here on an owner may free this object: only locals are used.
  if (buried)
    graveyard::instance().wake();
}

class stream_stub final : public peer_stub {
public:
  explicit stream_stub(std::shared_ptr<grpc::Channel> channel)
      : stub_(private_chat_stream::PrivateChatStream::NewStub(std::move(channel))) {
    graveyard::instance().sweep();
  }

  ~stream_stub() override {
    if (current_)
      graveyard::instance().bury(std::move(current_), stub_);
    graveyard::instance().sweep();
  }

  bool ordered() const override { return true; }

  void send(wire_message msg, std::chrono::milliseconds,
            std::function<void(delivery_status)> done) override {
    std::lock_guard lock{mtx_};
    if (current_ && current_->send(msg, done))
      return;
    // The last one broke: what it had in flight fails (and is sent again
    // by the caller after those failures), so nothing overtakes it. Until
    // gRPC is done with it, it needs the channel.
    if (current_)
      graveyard::instance().bury(std::move(current_), stub_);
    current_ = send_stream::open(*stub_);
    current_->send(msg, done);
  }

private:
  /// Shared with the graveyard: a stream needs the channel until done.
  stream_stub_ptr stub_;
  std::mutex mtx_;
  std::shared_ptr<send_stream> current_;
};

} // namespace

std::string client_cert_fingerprint(const grpc::ServerContextBase& ctx) {
  // gRPC asked for a client certificate and checked that the client holds
  // its key; none on plaintext.
  if (auto auth = ctx.auth_context(); auth && auth->IsPeerAuthenticated())
    for (auto& pem : auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME))
      return pem_fingerprint({pem.data(), pem.size()});
  return {};
}

std::unique_ptr<grpc::Service> make_stream_service(incoming_handler handler,
                                                   size_t max_unanswered) {
  return std::make_unique<stream_service>(std::move(handler), max_unanswered);
}

std::shared_ptr<peer_stub> make_stream_stub(std::shared_ptr<grpc::Channel> channel) {
  return std::make_shared<stream_stub>(std::move(channel));
}

bool drain_private_streams(std::chrono::milliseconds timeout) {
  return graveyard::instance().drain(timeout);
}

} // namespace chat
