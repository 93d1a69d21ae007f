#include "adapters/client/file_transfer_grpc.hpp"

#include "adapters/client/private_chat_stream.hpp"

#include "file_transfer.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>

namespace chat {

namespace {

namespace ft = file_transfer;

/// How long Announce and Conclude wait for the actors' answer.
constexpr auto answer_timeout = std::chrono::seconds{20};

grpc::Status to_grpc(const delivery_status& s) {
  return {static_cast<grpc::StatusCode>(s.code), s.detail};
}

delivery_status from_grpc(const grpc::Status& s) {
  return {static_cast<int32_t>(s.error_code()), s.error_message()};
}

/// Hands a call to the actors and waits for their answer (bounded: a call
/// never holds a gRPC thread for longer).
template <class F> grpc::Status ask_actors(F&& hand_over) {
  auto answer = std::make_shared<std::promise<delivery_status>>();
  auto result = answer->get_future();
  hand_over(delivery_reply{[answer](delivery_status s) { answer->set_value(s); }});
  if (result.wait_for(answer_timeout) != std::future_status::ready)
    return {grpc::StatusCode::UNAVAILABLE, "no answer in time"};
  return to_grpc(result.get());
}

class service final : public ft::FileTransfer::Service {
public:
  explicit service(file_service_hooks hooks) : hooks_(std::move(hooks)) {}

  grpc::Status Announce(grpc::ServerContext* ctx, const ft::Offer* in,
                        ft::Nothing*) override {
    file_offer offer{
        in->id(),   in->sender(), in->receiver(),  in->name(),
        in->size(), in->sha256(), in->signature(), client_cert_fingerprint(*ctx)};
    if (offer.peer_cert.empty())
      return {grpc::StatusCode::PERMISSION_DENIED, "files travel over TLS only"};
    return ask_actors(
        [&](delivery_reply reply) { hooks_.offer(std::move(offer), std::move(reply)); });
  }

  grpc::Status Conclude(grpc::ServerContext* ctx, const ft::Outcome* in,
                        ft::Nothing*) override {
    file_conclusion outcome{in->id(), in->receiver(), in->code(), in->detail(),
                            client_cert_fingerprint(*ctx)};
    return ask_actors([&](delivery_reply reply) {
      hooks_.conclude(std::move(outcome), std::move(reply));
    });
  }

  grpc::Status Fetch(grpc::ServerContext* ctx, const ft::FetchRequest* in,
                     grpc::ServerWriter<ft::Chunk>* out) override {
    offered_files::entry e;
    if (!hooks_.offered->find(in->id(), e) || e.receiver != in->receiver())
      return {grpc::StatusCode::NOT_FOUND, "no such offer"};
    auto cert = client_cert_fingerprint(*ctx);
    if (cert.empty())
      return {grpc::StatusCode::PERMISSION_DENIED, "files travel over TLS only"};
    if (cert != e.receiver_cert) {
      // A receiver that restarted has a new certificate: the actor checks
      // its registry entry and the next attempt may pass.
      hooks_.recheck(in->id(), cert);
      return {grpc::StatusCode::UNAVAILABLE, "certificate not known yet, checking"};
    }
    if (in->offset() > e.size)
      return {grpc::StatusCode::OUT_OF_RANGE, "offset past the end"};
    int fd = ::open(e.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return {grpc::StatusCode::NOT_FOUND,
              "cannot read the file: " + std::string{std::strerror(errno)}};
    std::string buf(file_chunk_bytes, '\0');
    ft::Chunk chunk;
    auto status = grpc::Status::OK;
    for (uint64_t at = in->offset(); at < e.size && !ctx->IsCancelled();) {
      auto want = static_cast<size_t>(std::min<uint64_t>(buf.size(), e.size - at));
      auto n = ::pread(fd, buf.data(), want, static_cast<off_t>(at));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        status = {grpc::StatusCode::DATA_LOSS, "the file shrank or cannot be read"};
        break;
      }
      chunk.set_offset(at);
      chunk.set_data(buf.data(), static_cast<size_t>(n));
      if (!out->Write(chunk))
        break; // the receiver is gone; it asks again from its own offset
      at += static_cast<uint64_t>(n);
      hooks_.served(in->id(), at);
    }
    ::close(fd);
    return status;
  }

private:
  file_service_hooks hooks_;
};

std::shared_ptr<grpc::Channel> channel_to(const file_peer& to,
                                          std::shared_ptr<const tls_identity> mine) {
  grpc::ChannelArguments args;
  // A channel of its own, so that a link that was down leaves no shared
  // subchannel in reconnect backoff; pings notice a dead link in seconds.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 3000);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  auto bare = to.host.find(':') != std::string::npos && to.host.front() != '['
                  ? "[" + to.host + "]"
                  : to.host;
  return grpc::CreateCustomChannel(bare + ":" + std::to_string(to.port),
                                   peer_channel_credentials(std::move(mine), to.cert),
                                   args);
}

} // namespace

void offered_files::put(const std::string& id, entry e) {
  std::lock_guard guard{mtx_};
  entries_[id] = std::move(e);
}

void offered_files::set_cert(const std::string& id, const std::string& cert) {
  std::lock_guard guard{mtx_};
  if (auto i = entries_.find(id); i != entries_.end())
    i->second.receiver_cert = cert;
}

void offered_files::remove(const std::string& id) {
  std::lock_guard guard{mtx_};
  entries_.erase(id);
}

bool offered_files::find(const std::string& id, entry& out) const {
  std::lock_guard guard{mtx_};
  auto i = entries_.find(id);
  if (i == entries_.end())
    return false;
  out = i->second;
  return true;
}

std::unique_ptr<grpc::Service> make_file_service(file_service_hooks hooks) {
  return std::make_unique<service>(std::move(hooks));
}

delivery_status announce_file(const file_peer& to,
                              std::shared_ptr<const tls_identity> mine,
                              const file_offer& offer,
                              std::chrono::milliseconds timeout) {
  auto stub = ft::FileTransfer::NewStub(channel_to(to, std::move(mine)));
  ft::Offer request;
  request.set_id(offer.id);
  request.set_sender(offer.sender);
  request.set_receiver(offer.receiver);
  request.set_name(offer.name);
  request.set_size(offer.size);
  request.set_sha256(offer.sha256);
  request.set_signature(offer.signature);
  ft::Nothing response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  return from_grpc(stub->Announce(&ctx, request, &response));
}

delivery_status conclude_file(const file_peer& to,
                              std::shared_ptr<const tls_identity> mine,
                              const file_conclusion& outcome,
                              std::chrono::milliseconds timeout) {
  auto stub = ft::FileTransfer::NewStub(channel_to(to, std::move(mine)));
  ft::Outcome request;
  request.set_id(outcome.id);
  request.set_receiver(outcome.receiver);
  request.set_code(outcome.code);
  request.set_detail(outcome.detail);
  ft::Nothing response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  return from_grpc(stub->Conclude(&ctx, request, &response));
}

delivery_status file_fetch::run(const file_peer& from,
                                std::shared_ptr<const tls_identity> mine,
                                const std::string& id, const std::string& receiver,
                                uint64_t offset, const chunk_fn& on_chunk) {
  auto stub = ft::FileTransfer::NewStub(channel_to(from, std::move(mine)));
  grpc::ClientContext ctx;
  {
    std::lock_guard guard{mtx_};
    if (cancelled_)
      return {static_cast<int32_t>(grpc::StatusCode::CANCELLED), "cancelled"};
    ctx_ = &ctx;
  }
  ft::FetchRequest request;
  request.set_id(id);
  request.set_receiver(receiver);
  request.set_offset(offset);
  auto reader = stub->Fetch(&ctx, request);
  ft::Chunk chunk;
  std::string refused;
  while (reader->Read(&chunk)) {
    refused = on_chunk(chunk.offset(), chunk.data());
    if (!refused.empty()) {
      ctx.TryCancel();
      break;
    }
  }
  auto status = reader->Finish();
  {
    std::lock_guard guard{mtx_};
    ctx_ = nullptr;
  }
  if (!refused.empty())
    return {static_cast<int32_t>(delivery_code::invalid_argument), refused};
  return from_grpc(status);
}

void file_fetch::cancel() {
  std::lock_guard guard{mtx_};
  cancelled_ = true;
  if (ctx_ != nullptr)
    static_cast<grpc::ClientContext*>(ctx_)->TryCancel();
}

} // namespace chat
