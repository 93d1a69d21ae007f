#pragma once

// gRPC side of private chats (docs/protocol.md: PrivateChatService.AddMessage,
// and between chat-actors clients PrivateChatStream.AddMessages, see
// adapters/client/private_chat_stream.hpp). The server hands every message to a
// handler (which messages actors) and answers with what it returns; the
// client side sends each message (a unary call with a deadline, or on the
// ordered stream) and reports its outcome through a callback. No actor
// state here.
//
// On a unary call the proof rides in call metadata, invisible to original
// clients: `x-chat-seq` (decimal), `x-chat-key` and `x-chat-to` (the
// sender's and the receiver's session keys, hex); on the stream, in the
// message's own fields. With it, `message` holds the sealed text
// (actors/client/private_chat_keys.hpp).
//
// Transport: TLS between chat-actors clients (docs/security.md). Each
// session shows its own self-signed certificate (adapters/private_chat_tls);
// a client accepts a server's certificate only if its SHA-256 is the one
// the peer's registry entry publishes (signed by the pinned identity key,
// checked by the caller), through gRPC 1.51's ExternalCertificateVerifier;
// the server asks for the client's certificate and hands its fingerprint
// with every call (wire_message::peer_cert), for the peer actor to compare
// with the claimed sender's entry. Plaintext (h2c) only for original
// clients, on a second port, in open mode.

#include "adapters/client/private_chat_tls.hpp"

#include <caf/meta/type_name.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace grpc {
class ChannelCredentials;
class ServerCredentials;
class Service;
} // namespace grpc

namespace chat {

/// One AddMessage call plus its optional proof.
struct wire_message {
  std::string sender;
  std::string receiver;
  /// The text; sealed (base64) when `session_key` is set.
  std::string text;
  /// Sender's sequence number; 0 = no proof.
  uint64_t seq = 0;
  /// The sender's session key (hex) the text is sealed for; empty = plain
  /// text without proof (original clients).
  std::string session_key;
  /// The receiver's session key it is sealed for (a receiver that restarted
  /// since answers UNAVAILABLE, so the sender looks it up again).
  std::string receiver_key;
  /// SHA-256 (hex) of the client certificate of the TLS connection the call
  /// came on; empty = plaintext. Set by the server, never sent.
  std::string peer_cert;
  friend bool operator==(const wire_message&, const wire_message&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_message& x) {
  return f(caf::meta::type_name("wire_message"), x.sender, x.receiver, x.text, x.seq,
           x.session_key, x.receiver_key, x.peer_cert);
}

/// What a failed call says (inside gRPC's UNAVAILABLE detail) when the
/// peer's TLS certificate was not the pinned one.
inline constexpr const char* certificate_mismatch =
    "the peer's certificate is not the one its registry entry publishes";

/// gRPC status codes we use (same numbers as grpc::StatusCode).
enum class delivery_code : int32_t {
  ok = 0,
  invalid_argument = 3,
  deadline_exceeded = 4,
  already_exists = 6,
  permission_denied = 7,
  unimplemented = 12,
  unavailable = 14,
};

/// Outcome of one call: a gRPC status code and its message.
struct delivery_status {
  int32_t code = 0;
  std::string detail;
  bool is(delivery_code x) const { return code == static_cast<int32_t>(x); }
};

/// Answers one incoming call, once, from any thread. Travels inside actor
/// messages (local only: it serializes to nothing). A reply dropped without
/// an answer (its actor went away) answers UNAVAILABLE, so that no call is
/// left open to block the server's shutdown.
class delivery_reply {
public:
  delivery_reply() = default;
  explicit delivery_reply(std::function<void(delivery_status)> finish);
  void operator()(delivery_status s) const;

private:
  struct once;
  std::shared_ptr<once> once_;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_reply&) {
  return f(caf::meta::type_name("delivery_reply"));
}

/// Takes one incoming call on a gRPC thread and must not block: it hands the
/// call on; `reply` is called exactly once, from any thread.
using incoming_handler = std::function<void(wire_message, delivery_reply reply)>;

/// Connections the listener turned away since it started.
struct listener_counts {
  /// From a host that already had `max_per_host` open.
  uint64_t over_host_cap = 0;
  /// Closed to make room at the budget (half the descriptor limit): the
  /// oldest of the host that held the most.
  uint64_t evicted = 0;
  /// Closed at once: no room within the budget, or no descriptor left.
  uint64_t shed = 0;
};

/// A running PrivateChatService.
///
/// It accepts connections itself and hands them to gRPC: gRPC 1.51's own
/// listener stops for good at the first accept() error other than EAGAIN
/// (EMFILE at the descriptor limit), and it cannot cap connections per
/// peer host. Ours refuses a host's connection past `max_per_host`, holds at
/// most half the descriptor limit in all (the host holding the most makes
/// room for another), and, out of descriptors anyway, accepts and closes (a
/// spare descriptor makes room) rather than stop.
///
/// TLS: an accepted descriptor goes to gRPC's external connection intake
/// (`ServerBuilder::experimental().AddExternalConnectionAcceptor`) with
/// TlsServerCredentials: gRPC does the handshake on it and knows the
/// client's certificate, and no thread of ours copies the bytes (h2c
/// descriptors, in open mode, go through grpc_server_add_channel_from_fd,
/// which takes no credentials).
class private_chat_server {
public:
  /// TLS with `identity` on host:port (0 = a free port) and, if
  /// `plaintext`, h2c for original clients on host:plaintext_port; nullptr
  /// and `error` set if not. Without `stream`, PrivateChatStream is not
  /// served (a peer without it, for tests). `beside`, if any, is served too
  /// (the file service), on the same connections and credentials.
  static std::unique_ptr<private_chat_server>
  start(const std::string& host, uint16_t port,
        std::shared_ptr<const tls_identity> identity, bool plaintext,
        uint16_t plaintext_port, incoming_handler handler, size_t max_per_host,
        std::string& error, bool stream = true,
        std::unique_ptr<grpc::Service> beside = nullptr);

  ~private_chat_server();

  /// The bound TLS port.
  uint16_t port() const { return port_; }

  /// The bound plaintext port; 0 without one.
  uint16_t plaintext_port() const { return plaintext_port_; }

  /// What the listener turned away so far (any thread).
  listener_counts counts() const;

  /// Calls the service through a new connection to each listener, as a
  /// peer would: `done(true)` if all answered within `timeout`. Any thread; `done` runs
  /// on a gRPC thread.
  void probe(std::chrono::milliseconds timeout, std::function<void(bool)> done) const;

  /// Stops accepting calls and waits (at most ~1 s) for running ones.
  void stop();

private:
  private_chat_server() = default;
  static void probe_one(const std::string& target,
                        std::shared_ptr<grpc::ChannelCredentials> creds,
                        std::chrono::milliseconds timeout,
                        std::function<void(bool)> done);
  struct impl;
  std::unique_ptr<impl> impl_;
  uint16_t port_ = 0;
  uint16_t plaintext_port_ = 0;
  /// Where probe() connects: the bound address, loopback for a wildcard
  /// (host:port, host:plaintext_port).
  std::string probe_target_;
  std::string probe_plain_target_;
};

/// A channel to one peer; calls complete on gRPC threads.
class peer_stub {
public:
  virtual ~peer_stub() = default;
  virtual void send(wire_message msg, std::chrono::milliseconds timeout,
                    std::function<void(delivery_status)> done) = 0;
  /// Whether sends may overlap: the peer files them in the order of send()
  /// (adapters/private_chat_stream). Otherwise one at a time keeps order.
  virtual bool ordered() const { return false; }
};

/// Makes stubs; a fake one in tests.
class peer_transport {
public:
  virtual ~peer_transport() = default;
  /// A channel to host:port over TLS that accepts only the server
  /// certificate whose SHA-256 is `cert_fingerprint` (hex), with ordered
  /// sends if `ordered` (chat-actors peers serve the stream; a peer without
  /// it answers UNIMPLEMENTED) and unary calls otherwise; plaintext unary
  /// calls if `cert_fingerprint` is empty (original clients).
  virtual std::shared_ptr<peer_stub> connect(const std::string& host, uint16_t port,
                                             const std::string& cert_fingerprint,
                                             bool ordered) = 0;
};

/// gRPC channels showing `mine` as the client certificate on TLS.
std::shared_ptr<peer_transport> grpc_transport(std::shared_ptr<const tls_identity> mine);

/// TLS server credentials showing `mine`, asking every client for its
/// certificate without checking it (the peer actor checks it per call).
std::shared_ptr<grpc::ServerCredentials>
peer_server_credentials(const tls_identity& mine);

/// TLS channel credentials showing `mine`, accepting only the server
/// certificate `cert_fingerprint` (any certificate if empty: tests and
/// tools that play a stranger). No CA, no host name check.
std::shared_ptr<grpc::ChannelCredentials>
peer_channel_credentials(std::shared_ptr<const tls_identity> mine,
                         std::string cert_fingerprint);

} // namespace chat
