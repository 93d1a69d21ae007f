// chat-test-hostile: what a hostile or careless LAN host can do to a client,
// for the e2e tests (loopback only).
//
//   chat-test-hostile idle SOURCE PORT N
//       N idle TCP connections from SOURCE (e.g. 127.0.0.2) to
//       127.0.0.1:PORT; prints "open K" (K connected), then holds them
//       until stdin closes.
//   chat-test-hostile strangers PORT RECEIVER N [EACH [BYTES]]
//       N new sender names (original-client style, no proof) send EACH
//       (1) messages of BYTES (200) bytes to 127.0.0.1:PORT over TLS with a
//       certificate of their own (h2c with CHAT_HOSTILE_PLAINTEXT=1);
//       prints "ok K" (K calls answered OK).
//   chat-test-hostile call HOST PORT SENDER RECEIVER TEXT tls|plain [SKEY RKEY]
//       One AddMessage call, as a stranger on the LAN would make it (TLS
//       with its own certificate, accepting any server certificate, or
//       h2c), claiming to be sealed by the session SKEY for RKEY if given;
//       prints "status CODE MESSAGE".
//   chat-test-hostile stream HOST PORT SENDER RECEIVER TEXT [SKEY RKEY]
//       The same message on PrivateChatStream.AddMessages (TLS with its own
//       certificate), as a chat-actors client streams them; prints
//       "status CODE MESSAGE" of its receipt (or of the stream).
//   chat-test-hostile stream-flood HOST PORT SENDER RECEIVER SECONDS
//       Streams 4000-byte messages as fast as the receiver takes them, for
//       SECONDS, and never reads a receipt; prints "wrote K".
//   chat-test-hostile file-offer HOST PORT SENDER RECEIVER NAME SIZE
//       One FileTransfer.Announce to HOST:PORT over TLS with a certificate of
//       its own, claiming to come from SENDER, signed by a fresh key of its
//       own; prints "status CODE MESSAGE".
//   chat-test-hostile file-sender HOST RECEIVER RPORT SENDER NAME SIZE EXTRA SECONDS
//       A sender that keeps its word on nothing: prints the fields of a
//       registry entry for SENDER ("hset FIELD VALUE …", its key, session
//       key and certificate properly signed) and waits for a line on stdin
//       (the entry is written), announces NAME of SIZE bytes to RECEIVER at
//       HOST:RPORT and serves Fetch with SIZE + EXTRA bytes, for SECONDS;
//       prints "status CODE MESSAGE" of the offer, then "served K".
//   chat-test-hostile group AMQP_PORT GROUP N BYTES
//       N group messages of BYTES bytes published to `group_chat` as an
//       original client would; prints "published N".
//   chat-test-hostile listen AMQP_PORT GROUP SECONDS
//       Subscribes to GROUP as an original client does (a queue bound to
//       `group_chat` with `*.GROUP.*`), prints "listening", then each
//       body as an original client shows it, one line each, for SECONDS.
//   chat-test-hostile account HOST LOCATOR_PORT MEMBER_PASSWORD NAME
//       Asks the server node's LAN locator for NAME's broker account with
//       a fresh identity key, as a member holding the join code would
//       (adapters/common/broker_account.hpp); prints "granted USER PASSWORD" or
//       "refused: WHY".

#include "actors/client/file_offer_rules.hpp"
#include "actors/client/private_chat_keys.hpp"
#include "adapters/client/file_transfer_grpc.hpp"
#include "adapters/client/private_chat_grpc.hpp"
#include "adapters/common/broker_account.hpp"
#include "config/errors.hpp"

#include "file_transfer.grpc.pb.h"
#include "private_chat.grpc.pb.h"
#include "private_chat_stream.grpc.pb.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <grpcpp/grpcpp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

int idle(const std::string& source, uint16_t port, int n) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max; // we need more than 1024 descriptors
  setrlimit(RLIMIT_NOFILE, &limit);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      break;
    if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0 ||
        connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      close(fd);
      continue;
    }
    fds.push_back(fd);
  }
  std::cout << "open " << fds.size() << std::endl;
  char buf[64];
  while (read(0, buf, sizeof(buf)) > 0) {
  }
  for (auto fd : fds)
    close(fd);
  return 0;
}

std::shared_ptr<grpc::ChannelCredentials> stranger_credentials(bool plain) {
  if (plain)
    return grpc::InsecureChannelCredentials();
  return chat::peer_channel_credentials(chat::tls_identity::generate("stranger"), {});
}

int call(const std::string& host, uint16_t port, const std::string& sender,
         const std::string& receiver, const std::string& text, bool plain,
         const std::string& sender_key, const std::string& receiver_key) {
  auto channel =
      grpc::CreateChannel(host + ":" + std::to_string(port), stranger_credentials(plain));
  auto stub = private_chat::PrivateChatService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{5});
  if (!sender_key.empty()) { // claims to be sealed by that session
    ctx.AddMetadata("x-chat-seq", "1");
    ctx.AddMetadata("x-chat-key", sender_key);
    ctx.AddMetadata("x-chat-to", receiver_key);
  }
  private_chat::Message msg;
  msg.set_sender(sender);
  msg.set_receiver(receiver);
  msg.set_message(text);
  google::protobuf::Empty empty;
  auto s = stub->AddMessage(&ctx, msg, &empty);
  std::cout << "status " << s.error_code() << " " << s.error_message() << std::endl;
  return 0;
}

int stream_call(const std::string& host, uint16_t port, const std::string& sender,
                const std::string& receiver, const std::string& text,
                const std::string& sender_key, const std::string& receiver_key) {
  auto channel =
      grpc::CreateChannel(host + ":" + std::to_string(port), stranger_credentials(false));
  auto stub = private_chat_stream::PrivateChatStream::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{5});
  auto stream = stub->AddMessages(&ctx);
  private_chat_stream::Sealed msg;
  msg.set_id(1);
  msg.set_sender(sender);
  msg.set_receiver(receiver);
  msg.set_message(text);
  if (!sender_key.empty()) { // claims to be sealed by that session
    msg.set_seq(1);
    msg.set_session_key(sender_key);
    msg.set_receiver_key(receiver_key);
  }
  private_chat_stream::Receipt receipt;
  if (stream->Write(msg) && stream->Read(&receipt)) {
    std::cout << "status " << receipt.code() << " " << receipt.detail() << std::endl;
    stream->WritesDone();
    stream->Finish();
    return 0;
  }
  auto s = stream->Finish();
  std::cout << "status " << s.error_code() << " " << s.error_message() << std::endl;
  return 0;
}

int stream_flood(const std::string& host, uint16_t port, const std::string& sender,
                 const std::string& receiver, int seconds) {
  auto channel =
      grpc::CreateChannel(host + ":" + std::to_string(port), stranger_credentials(false));
  auto stub = private_chat_stream::PrivateChatStream::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{seconds});
  auto stream = stub->AddMessages(&ctx);
  private_chat_stream::Sealed msg;
  msg.set_sender(sender);
  msg.set_receiver(receiver);
  uint64_t wrote = 0;
  // Blocks once flow control holds what the receiver no longer reads; the
  // deadline ends it.
  for (;;) {
    msg.set_id(wrote + 1);
    msg.set_message(std::to_string(wrote) + std::string(4000, '.'));
    if (!stream->Write(msg))
      break;
    ++wrote;
  }
  stream->Finish();
  std::cout << "wrote " << wrote << std::endl;
  return 0;
}

int strangers(uint16_t port, const std::string& receiver, int n, int each, size_t size) {
  auto* plain = std::getenv("CHAT_HOSTILE_PLAINTEXT");
  auto channel = grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port),
      stranger_credentials(plain != nullptr && std::string{plain} == "1"));
  auto stub = private_chat::PrivateChatService::NewStub(channel);
  auto tag = std::to_string(getpid());
  int ok = 0;
  for (int i = 0; i < n * each; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{5});
    private_chat::Message msg;
    msg.set_sender("s" + tag + "x" + std::to_string(i % n));
    msg.set_receiver(receiver);
    msg.set_message(std::to_string(i) + std::string(size, '.'));
    google::protobuf::Empty empty;
    if (stub->AddMessage(&ctx, msg, &empty).ok())
      ++ok;
  }
  std::cout << "ok " << ok << std::endl;
  return ok == n * each ? 0 : 1;
}

amqp_bytes_t bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

/// A connection with channel 1 open on the loopback broker (secure mode:
/// the account in CHAT_AMQP_USER/CHAT_AMQP_PASSWORD); null on failure.
amqp_connection_state_t open_channel(uint16_t port) {
  auto conn = amqp_new_connection();
  auto sock = amqp_tcp_socket_new(conn);
  if (sock == nullptr || amqp_socket_open(sock, "127.0.0.1", port) != AMQP_STATUS_OK) {
    std::cerr << "cannot connect to AMQP port " << port << '\n';
    return nullptr;
  }
  auto env = [](const char* key, const char* fallback) {
    auto value = std::getenv(key);
    return value != nullptr && *value != '\0' ? value : fallback;
  };
  if (amqp_login(conn, "/", AMQP_DEFAULT_MAX_CHANNELS, AMQP_DEFAULT_FRAME_SIZE, 0,
                 AMQP_SASL_METHOD_PLAIN, env("CHAT_AMQP_USER", "guest"),
                 env("CHAT_AMQP_PASSWORD", "guest"))
          .reply_type != AMQP_RESPONSE_NORMAL)
    return nullptr;
  amqp_channel_open(conn, 1);
  if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL)
    return nullptr;
  return conn;
}

int listen(uint16_t port, const std::string& group, int seconds) {
  auto conn = open_channel(port);
  if (conn == nullptr)
    return 1;
  auto q = amqp_queue_declare(conn, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  if (q == nullptr)
    return 1;
  auto queue = amqp_bytes_malloc_dup(q->queue);
  amqp_queue_bind(conn, 1, queue, amqp_cstring_bytes("group_chat"),
                  bytes("*." + group + ".*"), amqp_empty_table);
  amqp_basic_consume(conn, 1, queue, amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
  if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL)
    return 1;
  std::cout << "listening" << std::endl;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{seconds};
  while (std::chrono::steady_clock::now() < deadline) {
    timeval tick{1, 0};
    amqp_envelope_t envelope;
    amqp_maybe_release_buffers(conn);
    auto r = amqp_consume_message(conn, &envelope, &tick, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
      continue;
    // The original client prints the body as it is (UTF-8 text).
    std::cout << std::string{static_cast<const char*>(envelope.message.body.bytes),
                             envelope.message.body.len}
              << std::endl;
    amqp_destroy_envelope(&envelope);
  }
  return 0;
}

int group(uint16_t port, const std::string& group, int n, size_t size) {
  auto conn = open_channel(port);
  if (conn == nullptr)
    return 1;
  auto sender = "flood" + std::to_string(getpid());
  auto key = sender + "." + group + ".msg";
  auto body = sender + ": " + std::string(size, 'x');
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
  props.content_type = amqp_cstring_bytes("text/plain");
  for (int i = 0; i < n; ++i)
    if (amqp_basic_publish(conn, 1, amqp_cstring_bytes("group_chat"), bytes(key), 0, 0,
                           &props, bytes(body)) != AMQP_STATUS_OK)
      return 1;
  amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS); // waits for the broker
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
  std::cout << "published " << n << std::endl;
  return 0;
}

int account(const std::string& host, uint16_t port, const std::string& member_password,
            const std::string& name) {
  auto key = chat::ed25519_key::generate();
  auto got = chat::broker_account::fetch({host}, port, member_password, name, *key,
                                         std::chrono::seconds{15});
  if (!got) {
    std::cout << "refused: " << chat::describe(got.error()) << std::endl;
    return 0;
  }
  std::cout << "granted " << got->user << " " << got->password << std::endl;
  return 0;
}

} // namespace

int file_offer_call(const std::string& host, uint16_t port, const std::string& sender,
                    const std::string& receiver, const std::string& name, uint64_t size) {
  auto key = chat::ed25519_key::generate();
  chat::file_offer offer;
  offer.id = chat::new_transfer_id();
  offer.sender = sender;
  offer.receiver = receiver;
  offer.name = name;
  offer.size = size;
  offer.sha256 = std::string(64, 'e');
  offer = chat::sign_offer(offer, *key);
  auto s = chat::announce_file({host, port, {}}, chat::tls_identity::generate("stranger"),
                               offer, std::chrono::milliseconds{5000});
  std::cout << "status " << s.code << " " << s.detail << std::endl;
  return 0;
}

/// Serves more bytes than it announced (see the head of the file).
class greedy_service final : public file_transfer::FileTransfer::Service {
public:
  greedy_service(uint64_t bytes) : bytes_(bytes) {}
  grpc::Status Fetch(grpc::ServerContext*, const file_transfer::FetchRequest* in,
                     grpc::ServerWriter<file_transfer::Chunk>* out) override {
    file_transfer::Chunk chunk;
    for (uint64_t at = in->offset(); at < bytes_;) {
      auto n = std::min<uint64_t>(64 * 1024, bytes_ - at);
      chunk.set_offset(at);
      chunk.set_data(std::string(n, 'x'));
      if (!out->Write(chunk))
        break;
      at += n;
      served += n;
    }
    return grpc::Status::OK;
  }
  std::atomic<uint64_t> served = 0;

private:
  uint64_t bytes_;
};

int file_sender(const std::string& host, const std::string& receiver, uint16_t rport,
                const std::string& sender, const std::string& name, uint64_t size,
                uint64_t extra, int seconds) {
  auto keys = chat::session_keys::ephemeral();
  greedy_service svc{size + extra};
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("0.0.0.0:0", chat::peer_server_credentials(*keys.tls), &port);
  builder.RegisterService(&svc);
  auto server = builder.BuildAndStart();
  if (!server)
    return 1;
  chat::endpoint ep{"", static_cast<uint16_t>(port)};
  ep.tls_port = static_cast<uint16_t>(port);
  ep = keys.publish(sender, ep);
  std::cout << "hset port " << port << " pubkey " << ep.public_key << " kx "
            << ep.session_key << " kx_sig " << ep.session_key_sig << " tls_port " << port
            << " tls_cert " << ep.tls_cert << " tls_sig " << ep.tls_sig << std::endl;
  std::string line;
  std::getline(std::cin, line);
  chat::file_offer offer;
  offer.id = chat::new_transfer_id();
  offer.sender = sender;
  offer.receiver = receiver;
  offer.name = name;
  offer.size = size;
  offer.sha256 = std::string(64, 'e');
  offer = chat::sign_offer(offer, *keys.identity);
  auto s = chat::announce_file({host, rport, {}}, keys.tls, offer,
                               std::chrono::milliseconds{5000});
  std::cout << "status " << s.code << " " << s.detail << std::endl;
  std::this_thread::sleep_for(std::chrono::seconds{seconds});
  std::cout << "served " << svc.served.load() << std::endl;
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{1});
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> a{argv + 1, argv + argc};
  auto port = [&](size_t i) { return static_cast<uint16_t>(std::atoi(a.at(i).c_str())); };
  if (a.size() == 4 && a[0] == "idle")
    return idle(a[1], port(2), std::atoi(a[3].c_str()));
  if (a.size() >= 4 && a.size() <= 6 && a[0] == "strangers")
    return strangers(port(1), a[2], std::atoi(a[3].c_str()),
                     a.size() > 4 ? std::atoi(a[4].c_str()) : 1,
                     a.size() > 5 ? std::strtoul(a[5].c_str(), nullptr, 10) : 200);
  if ((a.size() == 7 || a.size() == 9) && a[0] == "call")
    return call(a[1], port(2), a[3], a[4], a[5], a[6] == "plain",
                a.size() == 9 ? a[7] : std::string{},
                a.size() == 9 ? a[8] : std::string{});
  if ((a.size() == 6 || a.size() == 8) && a[0] == "stream")
    return stream_call(a[1], port(2), a[3], a[4], a[5],
                       a.size() == 8 ? a[6] : std::string{},
                       a.size() == 8 ? a[7] : std::string{});
  if (a.size() == 6 && a[0] == "stream-flood")
    return stream_flood(a[1], port(2), a[3], a[4], std::atoi(a[5].c_str()));
  if (a.size() == 4 && a[0] == "listen")
    return listen(port(1), a[2], std::atoi(a[3].c_str()));
  if (a.size() == 5 && a[0] == "group")
    return group(port(1), a[2], std::atoi(a[3].c_str()),
                 std::strtoul(a[4].c_str(), nullptr, 10));
  if (a.size() == 7 && a[0] == "file-offer")
    return file_offer_call(a[1], port(2), a[3], a[4], a[5],
                           std::strtoull(a[6].c_str(), nullptr, 10));
  if (a.size() == 9 && a[0] == "file-sender")
    return file_sender(a[1], a[2], port(3), a[4], a[5],
                       std::strtoull(a[6].c_str(), nullptr, 10),
                       std::strtoull(a[7].c_str(), nullptr, 10), std::atoi(a[8].c_str()));
  if (a.size() == 5 && a[0] == "account")
    return account(a[1], port(2), a[3], a[4]);
  std::cerr << "usage: see the head of tests/e2e/hostile_peer.cpp\n";
  return 2;
}
