#include "adapters/client/private_chat_grpc.hpp"

#include "adapters/client/private_chat_stream.hpp"
#include "adapters/common/thread_name.hpp"
#include "config/defaults.hpp"

#include "private_chat.grpc.pb.h"
#include "private_chat_wire.pb.h"

#include <grpc/support/log.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_posix.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace chat {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr const char* seq_key = "x-chat-seq";
constexpr const char* key_key = "x-chat-key";
constexpr const char* to_key = "x-chat-to";

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
    if (raw.sender().empty()) {
      // No client sends this; the listener's self-probe does, and only
      // needs to know that the service answers.
      reactor->Finish(grpc::Status{grpc::StatusCode::INVALID_ARGUMENT, "no sender"});
      return reactor;
    }
    wire_message msg{raw.sender(), raw.receiver(), raw.message(), 0, {}, {}, {}};
    auto& meta = ctx->client_metadata();
    if (auto i = meta.find(seq_key); i != meta.end())
      msg.seq = std::strtoull(std::string{i->second.data(), i->second.size()}.c_str(),
                              nullptr, 10);
    if (auto i = meta.find(key_key); i != meta.end())
      msg.session_key.assign(i->second.data(), i->second.size());
    if (auto i = meta.find(to_key); i != meta.end())
      msg.receiver_key.assign(i->second.data(), i->second.size());
    msg.peer_cert = client_cert_fingerprint(*ctx);
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
    if (!msg.session_key.empty()) {
      c->ctx.AddMetadata(seq_key, std::to_string(msg.seq));
      c->ctx.AddMetadata(key_key, msg.session_key);
      c->ctx.AddMetadata(to_key, msg.receiver_key);
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

/// gRPC logs every failed TLS handshake on stderr, i.e. on the user's
/// terminal, for any LAN host that sends garbage or the wrong certificate
/// to the private-chat port: those lines go; the rest as gRPC prints them.
void quiet_handshake_errors(gpr_log_func_args* args) {
  for (auto* noisy : {"ssl_transport_security", "security_handshaker",
                      "tls_security_connector", "ssl_utils"})
    if (args->file != nullptr && std::strstr(args->file, noisy) != nullptr)
      return;
  std::fprintf(stderr, "%s %s:%d] %s\n", gpr_log_severity_string(args->severity),
               args->file != nullptr ? args->file : "", args->line, args->message);
}

void install_log_filter() {
  static std::once_flag once;
  std::call_once(once, [] { gpr_set_log_function(quiet_handshake_errors); });
}

/// Accepts the server's certificate only if its SHA-256 is `expected`
/// (anything if empty). gRPC 1.51 calls it after the handshake with the
/// leaf certificate as PEM; with set_verify_server_certs(false) there is no
/// chain check before it and no host name check (we set no
/// HostNameCertificateVerifier), so this is the only check.
class pinned_verifier final : public grpc::experimental::ExternalCertificateVerifier {
public:
  explicit pinned_verifier(std::string expected) : expected_(std::move(expected)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)>, grpc::Status* sync_status) override {
    auto pem = request->peer_cert();
    auto presented = pem_fingerprint({pem.data(), pem.size()});
    if (presented.empty() || (!expected_.empty() && presented != expected_))
      *sync_status =
          grpc::Status{grpc::StatusCode::UNAUTHENTICATED, certificate_mismatch};
    else
      *sync_status = grpc::Status::OK;
    return true; // synchronous
  }

  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {}

private:
  std::string expected_;
};

std::shared_ptr<grpc::experimental::CertificateProviderInterface>
provider_of(const tls_identity& id) {
  return std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
      std::vector<grpc::experimental::IdentityKeyCertPair>{{id.key_pem, id.cert_pem}});
}

class transport final : public peer_transport {
public:
  explicit transport(std::shared_ptr<const tls_identity> mine) : mine_(std::move(mine)) {
    install_log_filter();
  }

  std::shared_ptr<peer_stub> connect(const std::string& host, uint16_t port,
                                     const std::string& cert_fingerprint,
                                     bool ordered) override {
    auto target = host + ":" + std::to_string(port);
    if (cert_fingerprint.empty() || !mine_)
      return std::make_shared<grpc_stub>(
          grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
    auto channel =
        grpc::CreateChannel(target, peer_channel_credentials(mine_, cert_fingerprint));
    if (ordered)
      return make_stream_stub(std::move(channel));
    return std::make_shared<grpc_stub>(std::move(channel));
  }

private:
  std::shared_ptr<const tls_identity> mine_;
};

/// The peer's address as text (an IPv4-mapped IPv6 one as IPv4).
std::string host_of(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, buf,
              sizeof(buf));
  } else if (addr.ss_family == AF_INET6) {
    auto& a6 = reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a6))
      inet_ntop(AF_INET, &a6.s6_addr[12], buf, sizeof(buf));
    else
      inet_ntop(AF_INET6, &a6, buf, sizeof(buf));
  }
  return buf;
}

/// The kernel's unique id of the socket behind `fd`; 0 if none. Tells
/// whether a descriptor handed to gRPC still is that connection (gRPC
/// closes it without telling us, and the number may be reused).
uint64_t cookie_of(int fd) {
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) != 0)
    return 0;
  return cookie;
}

/// Half the descriptor limit: the other half is for the rest of the client
/// (a channel per conversation, AMQP, Redis, gRPC's own).
size_t connection_budget() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return 4096;
  return std::max<size_t>(16, limit.rlim_cur / 2);
}

/// Hands an accepted connection (non-blocking, TCP_NODELAY) to gRPC, which
/// owns it from then on; `listener` is the descriptor it was accepted on.
using hand_over_fn = std::function<void(int listener, int fd)>;

/// Accepts connections on its own Asio thread and hands them to gRPC (see
/// private_chat_server). Destruction stops and joins the thread.
class acceptor {
public:
  /// `budget`: connections held at once, all hosts together.
  acceptor(hand_over_fn hand_over, size_t max_per_host, size_t budget)
      : hand_over_(std::move(hand_over)), max_per_host_(max_per_host),
        budget_(std::max<size_t>(8, budget)), socket_(io_), retry_(io_),
        spare_(open("/dev/null", O_RDONLY | O_CLOEXEC)) {}

  ~acceptor() {
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      socket_.close(ignored);
      retry_.cancel();
    });
    io_.stop();
    if (thread_.joinable())
      thread_.join();
    if (spare_ >= 0)
      close(spare_);
    // What it handed over ends with it: the server that serves those is
    // going, and an open stream would otherwise hold its shutdown until the
    // deadline.
    for (auto& [host, open] : hosts_)
      for (auto [fd, cookie] : open)
        if (cookie_of(fd) == cookie)
          shutdown(fd, SHUT_RDWR);
  }

  /// Binds and starts accepting; the reason if it cannot.
  std::string listen(const std::string& host, uint16_t port) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec)
      return "bad address '" + host + "': " + ec.message();
    tcp::endpoint local{address, port};
    socket_.open(local.protocol(), ec);
    if (!ec)
      socket_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
      socket_.bind(local, ec);
    if (!ec)
      socket_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec)
      socket_.native_non_blocking(true, ec);
    if (ec)
      return ec.message();
    fcntl(socket_.native_handle(), F_SETFD, FD_CLOEXEC); // Asio does not
    port_ = socket_.local_endpoint(ec).port();
    wait();
    thread_ = std::thread{[this] {
      name_this_thread("chat.p2p-accept");
      io_.run();
    }};
    return {};
  }

  uint16_t port() const { return port_; }

  listener_counts counts() const {
    return {over_cap_.load(), evicted_.load(), shed_.load()};
  }

private:
  void wait() {
    socket_.async_wait(tcp::acceptor::wait_read, [this](boost::system::error_code ec) {
      if (!ec)
        accept_all();
    });
  }

  void accept_all() {
    for (;;) {
      sockaddr_storage addr{};
      socklen_t len = sizeof(addr);
      int fd = accept4(socket_.native_handle(), reinterpret_cast<sockaddr*>(&addr), &len,
                       SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        admit(fd, host_of(addr));
        continue;
      }
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return wait();
      if ((errno == EMFILE || errno == ENFILE) && spare_ >= 0) {
        // Out of descriptors: the spare one makes room to take the
        // connection off the queue and close it, so that the peer hears
        // at once and the listener stays readable only for new ones.
        close(spare_);
        int shed = accept4(socket_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
        int shed_errno = errno;
        spare_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (shed >= 0) {
          close(shed);
          ++shed_;
          continue;
        }
        if (shed_errno == EAGAIN || shed_errno == EWOULDBLOCK)
          return wait();
        // Another thread took the descriptor: the timer below.
      }
      // Anything else (no spare, ENOBUFS, …): try again shortly, never stop.
      retry_.expires_after(std::chrono::milliseconds{100});
      retry_.async_wait([this](boost::system::error_code ec) {
        if (!ec)
          accept_all();
      });
      return;
    }
  }

  void admit(int fd, const std::string& host) {
    if (auto& open = hosts_[host]; open.size() >= max_per_host_) {
      forget_closed(open);
      if (open.size() >= max_per_host_) {
        close(fd);
        ++over_cap_;
        return;
      }
    }
    if (total_open() >= budget_ && !make_room(host)) {
      close(fd);
      ++shed_;
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (auto cookie = cookie_of(fd); cookie != 0)
      hosts_[host].emplace_back(fd, cookie);
    hand_over_(socket_.native_handle(), fd);
    if (++accepted_ % 256 == 0)
      forget_all_closed();
  }

  size_t total_open() const {
    size_t n = 0;
    for (auto& [host, open] : hosts_)
      n += open.size();
    return n;
  }

  /// At the budget, the host holding the most connections gives up its
  /// oldest one if it holds more than `host` would with the new one: many
  /// hosts together cannot lock out another, and a newcomer always gets in.
  bool make_room(const std::string& host) {
    forget_all_closed();
    if (total_open() < budget_)
      return true;
    auto has = hosts_[host].size();
    auto most = std::max_element(hosts_.begin(), hosts_.end(), [](auto& x, auto& y) {
      return x.second.size() < y.second.size();
    });
    if (most->second.size() <= has + 1)
      return false;
    auto [fd, cookie] = most->second.front();
    most->second.erase(most->second.begin());
    // gRPC sees the end of the connection and closes the descriptor itself;
    // checked just before, so that a reused number is left alone.
    if (cookie_of(fd) == cookie)
      shutdown(fd, SHUT_RDWR);
    ++evicted_;
    return true;
  }

  /// Drops the connections gRPC has closed since, and hosts without any.
  void forget_all_closed() {
    for (auto i = hosts_.begin(); i != hosts_.end();) {
      forget_closed(i->second);
      i = i->second.empty() ? hosts_.erase(i) : std::next(i);
    }
  }

  /// Drops the connections gRPC has closed since.
  static void forget_closed(std::vector<std::pair<int, uint64_t>>& open) {
    std::erase_if(open, [](auto& x) { return cookie_of(x.first) != x.second; });
  }

  hand_over_fn hand_over_;
  size_t max_per_host_;
  /// Incoming connections held at once, all hosts together.
  size_t budget_;
  asio::io_context io_;
  tcp::acceptor socket_;
  asio::steady_timer retry_;
  /// Kept for the moment the process runs out of descriptors.
  int spare_;
  uint16_t port_ = 0;
  /// Connections handed to gRPC, by peer host: descriptor and socket cookie.
  std::map<std::string, std::vector<std::pair<int, uint64_t>>> hosts_;
  uint64_t accepted_ = 0;
  std::atomic<uint64_t> over_cap_ = 0;
  std::atomic<uint64_t> evicted_ = 0;
  std::atomic<uint64_t> shed_ = 0;
  std::thread thread_;
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
  std::unique_ptr<grpc::Service> stream_svc;
  /// Served beside the private chat (the file service), if any.
  std::unique_ptr<grpc::Service> beside;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<acceptor> listener;       // TLS
  std::unique_ptr<acceptor> plain_listener; // h2c, open mode only
  /// Where `listener` hands TLS connections to `server`.
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> tls_intake;
  std::shared_ptr<const tls_identity> identity;
};

namespace {

std::string with_port(const std::string& bare, uint16_t port) {
  return (bare.find(':') != std::string::npos ? "[" + bare + "]" : bare) + ":" +
         std::to_string(port);
}

} // namespace

std::unique_ptr<private_chat_server>
private_chat_server::start(const std::string& host, uint16_t port,
                           std::shared_ptr<const tls_identity> identity, bool plaintext,
                           uint16_t plaintext_port, incoming_handler handler,
                           size_t max_per_host, std::string& error, bool stream,
                           std::unique_ptr<grpc::Service> beside) {
  install_log_filter();
  auto st = std::make_unique<impl>();
  st->stream_svc = make_stream_service(
      handler, static_cast<size_t>(defaults::private_stream_unanswered));
  st->svc = std::make_unique<service>(std::move(handler));
  st->identity = identity;
  // No listening port: our acceptors feed it accepted descriptors, TLS ones
  // through the external connection intake (gRPC does the handshake on the
  // descriptor itself), plaintext ones as h2c channels.
  grpc::ServerBuilder builder;
  st->tls_intake = builder.experimental().AddExternalConnectionAcceptor(
      grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD,
      peer_server_credentials(*identity));
  // Connections that carry no call for a minute are closed (peers reconnect
  // transparently): idle connections cannot pile up and hold descriptors.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 60'000);
  // A peer needs one stream per connection (its conversation with us) and a
  // unary call at a time; a host opening hundreds of idle streams on its
  // connections (each holds a reactor) is held to this many per connection.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             static_cast<int>(defaults::private_streams_per_connection));
  builder.RegisterService(st->svc.get());
  if (stream)
    builder.RegisterService(st->stream_svc.get());
  if (beside) {
    st->beside = std::move(beside);
    builder.RegisterService(st->beside.get());
    // File fetches ping (keepalive) to notice a dead link in seconds.
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                               1000);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  }
  st->server = builder.BuildAndStart();
  auto bare =
      host.size() > 2 && host.front() == '[' ? host.substr(1, host.size() - 2) : host;
  auto address = with_port(bare, port);
  if (!st->server) {
    error = "cannot serve private chats on " + address + " (TLS)";
    return nullptr;
  }
  // A connection holds one descriptor, which gRPC owns once handed over;
  // half the budget each for TLS and h2c in open mode.
  auto budget = connection_budget();
  if (plaintext)
    budget /= 2;
  auto* intake = st->tls_intake.get();
  auto tls_hand_over = [intake](int listener, int fd) {
    grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters p;
    p.listener_fd = listener;
    p.fd = fd;
    intake->HandleNewConnection(&p);
  };
  st->listener = std::make_unique<acceptor>(tls_hand_over, max_per_host, budget);
  if (auto problem = st->listener->listen(bare, port); !problem.empty()) {
    error = "cannot serve private chats on " + address + ": " + problem;
    st->listener.reset();
    st->server->Shutdown();
    return nullptr;
  }
  if (plaintext) {
    auto* server = st->server.get();
    auto h2c_hand_over = [server](int, int fd) {
      grpc::AddInsecureChannelFromFd(server, fd);
    };
    st->plain_listener = std::make_unique<acceptor>(h2c_hand_over, max_per_host, budget);
    if (auto problem = st->plain_listener->listen(bare, plaintext_port);
        !problem.empty()) {
      error = "cannot serve private chats on " + with_port(bare, plaintext_port) + ": " +
              problem;
      st->listener.reset();
      st->plain_listener.reset();
      st->server->Shutdown();
      return nullptr;
    }
  }
  std::unique_ptr<private_chat_server> result{new private_chat_server};
  result->port_ = st->listener->port();
  result->plaintext_port_ = st->plain_listener ? st->plain_listener->port() : 0;
  result->impl_ = std::move(st);
  auto target = bare == "0.0.0.0" ? "127.0.0.1" : bare == "::" ? "::1" : bare;
  result->probe_target_ = with_port(target, result->port_);
  if (result->plaintext_port_ != 0)
    result->probe_plain_target_ = with_port(target, result->plaintext_port_);
  return result;
}

private_chat_server::~private_chat_server() {
  stop();
}

listener_counts private_chat_server::counts() const {
  listener_counts result;
  for (auto* l : {impl_ ? impl_->listener.get() : nullptr,
                  impl_ ? impl_->plain_listener.get() : nullptr})
    if (l != nullptr) {
      auto c = l->counts();
      result.over_host_cap += c.over_host_cap;
      result.evicted += c.evicted;
      result.shed += c.shed;
    }
  return result;
}

void private_chat_server::probe(std::chrono::milliseconds timeout,
                                std::function<void(bool)> done) const {
  if (!impl_ || !impl_->identity) {
    done(false);
    return;
  }
  if (!probe_plain_target_.empty()) {
    // Both listeners: done(true) once both answered.
    struct both {
      std::mutex mtx;
      int left = 2;
      bool alive = true;
      std::function<void(bool)> done;
    };
    auto b = std::make_shared<both>();
    b->done = std::move(done);
    auto one = [b](bool alive) {
      std::unique_lock<std::mutex> guard{b->mtx};
      b->alive = b->alive && alive;
      if (--b->left > 0)
        return;
      auto result = b->alive;
      auto f = std::move(b->done);
      guard.unlock();
      f(result);
    };
    probe_one(probe_target_,
              peer_channel_credentials(impl_->identity, impl_->identity->fingerprint),
              timeout, one);
    probe_one(probe_plain_target_, grpc::InsecureChannelCredentials(), timeout, one);
    return;
  }
  probe_one(probe_target_,
            peer_channel_credentials(impl_->identity, impl_->identity->fingerprint),
            timeout, std::move(done));
}

void private_chat_server::probe_one(const std::string& target,
                                    std::shared_ptr<grpc::ChannelCredentials> creds,
                                    std::chrono::milliseconds timeout,
                                    std::function<void(bool)> done) {
  // A channel of its own (no shared subchannel): a new connection each
  // time, so that the probe goes through accept() as a new peer does.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(target, creds, args);
  struct call {
    std::unique_ptr<private_chat::PrivateChatService::Stub> stub;
    grpc::ClientContext ctx;
    private_chat::Message request; // no sender: the service answers at once
    google::protobuf::Empty response;
  };
  auto c = std::make_shared<call>();
  c->stub = private_chat::PrivateChatService::NewStub(channel);
  c->ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  c->stub->async()->AddMessage(&c->ctx, &c->request, &c->response,
                               [c, done = std::move(done)](grpc::Status s) mutable {
                                 c.reset(); // as in grpc_stub::send
                                 done(s.error_code() ==
                                      grpc::StatusCode::INVALID_ARGUMENT);
                               });
}

void private_chat_server::stop() {
  if (impl_ && impl_->server) {
    impl_->listener.reset(); // nothing new for a server that is going
    impl_->plain_listener.reset();
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{1});
    impl_->server->Wait();
    impl_->server.reset();
  }
}

std::shared_ptr<peer_transport> grpc_transport(std::shared_ptr<const tls_identity> mine) {
  return std::make_shared<transport>(std::move(mine));
}

std::shared_ptr<grpc::ServerCredentials>
peer_server_credentials(const tls_identity& mine) {
  grpc::experimental::TlsServerCredentialsOptions options{provider_of(mine)};
  options.watch_identity_key_cert_pairs();
  // Every client shows a certificate; which one is right depends on the
  // sender the call claims, so the peer actor checks it per call.
  options.set_cert_request_type(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials>
peer_channel_credentials(std::shared_ptr<const tls_identity> mine,
                         std::string cert_fingerprint) {
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider_of(*mine));
  options.watch_identity_key_cert_pairs();
  // No CA: the peer's certificate is self-signed and pinned by the verifier.
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(
      grpc::experimental::ExternalCertificateVerifier::Create<pinned_verifier>(
          std::move(cert_fingerprint)));
  return grpc::experimental::TlsCredentials(options);
}

} // namespace chat
