#include "adapters/private_chat_grpc.hpp"

#include "private_chat.grpc.pb.h"
#include "private_chat_wire.pb.h"

#include <grpcpp/grpcpp.h>

#include <atomic>

namespace chat {

namespace {

constexpr const char* seq_key = "x-chat-seq";
constexpr const char* sig_key = "x-chat-sig-bin";

// Callback API with a raw request: parsed as RawMessage (bytes fields).
class service final
    : public private_chat::PrivateChatService::WithRawCallbackMethod_AddMessage<
          private_chat::PrivateChatService::Service> {
public:
  explicit service(incoming_handler handler) : handler_(std::move(handler)) {}

  grpc::ServerUnaryReactor* AddMessage(grpc::CallbackServerContext* ctx,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override {
    auto* reactor = ctx->DefaultReactor();
    // google.protobuf.Empty is zero bytes, but the buffer must exist.
    grpc::Slice nothing{std::string{}};
    grpc::ByteBuffer empty{&nothing, 1};
    response->Swap(&empty);
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (request->Dump(&slices).ok())
      for (auto& slice : slices)
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    private_chat_wire::RawMessage raw;
    if (!raw.ParseFromString(bytes)) {
      reactor->Finish(
          grpc::Status{grpc::StatusCode::INVALID_ARGUMENT, "malformed message"});
      return reactor;
    }
    wire_message msg{raw.sender(), raw.receiver(), raw.message(), 0, {}};
    auto& meta = ctx->client_metadata();
    if (auto i = meta.find(seq_key); i != meta.end())
      msg.seq = std::strtoull(std::string{i->second.data(), i->second.size()}.c_str(),
                              nullptr, 10);
    if (auto i = meta.find(sig_key); i != meta.end())
      msg.signature.assign(i->second.data(), i->second.size());
    auto finish = [reactor](delivery_status s) {
      reactor->Finish(grpc::Status{static_cast<grpc::StatusCode>(s.code), s.detail});
    };
    handler_(std::move(msg), delivery_reply{std::move(finish)});
    return reactor;
  }

private:
  incoming_handler handler_;
};

class grpc_stub final : public peer_stub {
public:
  explicit grpc_stub(std::shared_ptr<grpc::Channel> channel)
      : stub_(private_chat::PrivateChatService::NewStub(channel)) {}

  void send(wire_message msg, std::chrono::milliseconds timeout,
            std::function<void(delivery_status)> done) override {
    // Lives until gRPC calls back.
    struct call {
      grpc::ClientContext ctx;
      private_chat::Message request;
      google::protobuf::Empty response;
    };
    auto c = std::make_shared<call>();
    c->request.set_sender(msg.sender);
    c->request.set_receiver(msg.receiver);
    c->request.set_message(msg.text);
    if (!msg.signature.empty()) {
      c->ctx.AddMetadata(seq_key, std::to_string(msg.seq));
      c->ctx.AddMetadata(sig_key, msg.signature);
    }
    c->ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    stub_->async()->AddMessage(
        &c->ctx, &c->request, &c->response,
        [c, done = std::move(done)](grpc::Status s) mutable {
          // Free the call (ClientContext) before anyone hears of the result:
          // a one-shot client exits right after, and gRPC objects released
          // on gRPC's thread during process teardown trip its refcount checks.
          c.reset();
          done(delivery_status{static_cast<int32_t>(s.error_code()), s.error_message()});
        });
  }

private:
  std::unique_ptr<private_chat::PrivateChatService::Stub> stub_;
};

class transport final : public peer_transport {
public:
  std::shared_ptr<peer_stub> connect(const std::string& host, uint16_t port) override {
    auto channel = grpc::CreateChannel(host + ":" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    return std::make_shared<grpc_stub>(std::move(channel));
  }
};

} // namespace

struct delivery_reply::once {
  std::function<void(delivery_status)> finish;
  std::atomic<bool> done = false;
  void operator()(delivery_status s) {
    if (!done.exchange(true))
      finish(std::move(s));
  }
  ~once() {
    (*this)({static_cast<int32_t>(delivery_code::unavailable), "shutting down"});
  }
};

delivery_reply::delivery_reply(std::function<void(delivery_status)> finish)
    : once_(std::make_shared<once>(std::move(finish))) {}

void delivery_reply::operator()(delivery_status s) const {
  if (once_)
    (*once_)(std::move(s));
}

struct private_chat_server::impl {
  std::unique_ptr<service> svc;
  std::unique_ptr<grpc::Server> server;
};

std::unique_ptr<private_chat_server> private_chat_server::start(const std::string& host,
                                                                uint16_t port,
                                                                incoming_handler handler,
                                                                std::string& error) {
  auto st = std::make_unique<impl>();
  st->svc = std::make_unique<service>(std::move(handler));
  int bound = 0;
  grpc::ServerBuilder builder;
  auto address = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                 std::to_string(port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &bound);
  // Connections that carry no call for a minute are closed (peers reconnect
  // transparently): idle connections from a LAN host cannot pile up until
  // the descriptor limit stops accept() for good.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 60'000);
  builder.RegisterService(st->svc.get());
  st->server = builder.BuildAndStart();
  if (!st->server || bound == 0) {
    error = "cannot serve private chats on " + address;
    return nullptr;
  }
  std::unique_ptr<private_chat_server> result{new private_chat_server};
  result->impl_ = std::move(st);
  result->port_ = static_cast<uint16_t>(bound);
  return result;
}

private_chat_server::~private_chat_server() {
  stop();
}

void private_chat_server::stop() {
  if (impl_ && impl_->server) {
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{1});
    impl_->server->Wait();
    impl_->server.reset();
  }
}

std::shared_ptr<peer_transport> grpc_transport() {
  return std::make_shared<transport>();
}

} // namespace chat
