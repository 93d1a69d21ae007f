#pragma once

// gRPC side of file transfers (proto/file_transfer.proto, docs/files.md):
// FileTransfer is served beside the private chat on the same TLS port, with
// the same credentials (each call carries the fingerprint of the client's
// certificate for the actors to compare with the caller's registry entry),
// and called over channels pinned to the peer's published certificate.
//
// The service is synchronous: Fetch reads the file on gRPC's sync threads
// (blocking file I/O belongs there, not on callback threads), one chunk in
// memory at a time, and gRPC's flow control holds the reader back when the
// receiver is slower. Announce and Conclude hand the call to the actors and
// wait (bounded) for their answer. The client calls block: they run in
// detached jobs of the transfer actors.

#include "adapters/client/private_chat_grpc.hpp"

#include <caf/meta/type_name.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace grpc {
class Service;
}

namespace chat {

/// Bytes per Fetch chunk.
inline constexpr size_t file_chunk_bytes = 256 * 1024;

/// A file as its sender offers it (proto Offer).
struct file_offer {
  std::string id;
  std::string sender;
  std::string receiver;
  std::string name;
  uint64_t size = 0;
  /// Of the whole file, lowercase hex.
  std::string sha256;
  /// The sender identity key's signature of offer_payload(), hex.
  std::string signature;
  /// SHA-256 of the TLS client certificate it came with; set by the
  /// server, never sent.
  std::string peer_cert;
  friend bool operator==(const file_offer&, const file_offer&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_offer& x) {
  return f(caf::meta::type_name("file_offer"), x.id, x.sender, x.receiver, x.name, x.size,
           x.sha256, x.signature, x.peer_cert);
}

/// How a transfer ended on the receiver's side (proto Outcome.code).
enum class file_outcome : int32_t { done = 0, declined = 1, cancelled = 2, failed = 3 };

/// What the receiver tells the sender at the end (proto Outcome).
struct file_conclusion {
  std::string id;
  std::string receiver;
  int32_t code = 0;
  std::string detail;
  /// As file_offer::peer_cert.
  std::string peer_cert;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_conclusion& x) {
  return f(caf::meta::type_name("file_conclusion"), x.id, x.receiver, x.code, x.detail,
           x.peer_cert);
}

/// The files this client offers, for Fetch on gRPC threads; the sending
/// actors add and remove them. Thread-safe.
class offered_files {
public:
  struct entry {
    std::string path;
    uint64_t size = 0;
    std::string receiver;
    /// The receiver's certificate fingerprint: only that client may fetch.
    std::string receiver_cert;
  };
  void put(const std::string& id, entry e);
  void set_cert(const std::string& id, const std::string& cert);
  void remove(const std::string& id);
  bool find(const std::string& id, entry& out) const;

private:
  mutable std::mutex mtx_;
  std::map<std::string, entry> entries_;
};

/// What the service hands to the actors (from gRPC threads; must not block).
struct file_service_hooks {
  /// An offer to us; answered through the reply.
  std::function<void(file_offer, delivery_reply)> offer;
  /// The end of one of our offers, as the receiver tells it.
  std::function<void(file_conclusion, delivery_reply)> conclude;
  /// Bytes of offer `id` sent up to `offset` (at most one call per chunk).
  std::function<void(std::string id, uint64_t offset)> served;
  /// A fetch of offer `id` came with another certificate than the one
  /// recorded (the receiver restarted): look it up again.
  std::function<void(std::string id, std::string cert)> recheck;
  std::shared_ptr<offered_files> offered;
};

/// The FileTransfer service, to register beside the private chat.
std::unique_ptr<grpc::Service> make_file_service(file_service_hooks hooks);

/// Where a peer's FileTransfer is: its TLS endpoint and pinned certificate.
struct file_peer {
  std::string host;
  uint16_t port = 0;
  std::string cert;
};

/// Sends `offer` to the receiver; blocks up to `timeout`.
delivery_status announce_file(const file_peer& to,
                              std::shared_ptr<const tls_identity> mine,
                              const file_offer& offer, std::chrono::milliseconds timeout);

/// Tells the sender how the transfer ended; blocks up to `timeout`.
delivery_status conclude_file(const file_peer& to,
                              std::shared_ptr<const tls_identity> mine,
                              const file_conclusion& outcome,
                              std::chrono::milliseconds timeout);

/// One Fetch at a time; cancel() from any thread ends a running one.
class file_fetch {
public:
  /// Takes each chunk; a non-empty problem ends the fetch with it.
  using chunk_fn = std::function<std::string(uint64_t offset, std::string_view data)>;

  /// Streams offer `id` from `offset` to its end or the first failure
  /// (blocks). `invalid_argument` with the problem if `on_chunk` refused.
  delivery_status run(const file_peer& from, std::shared_ptr<const tls_identity> mine,
                      const std::string& id, const std::string& receiver, uint64_t offset,
                      const chunk_fn& on_chunk);

  void cancel();
  bool cancelled() const { return cancelled_.load(); }

private:
  std::mutex mtx_;
  /// The running call's context (grpc::ClientContext), to cancel it.
  void* ctx_ = nullptr;
  std::atomic<bool> cancelled_ = false;
};

} // namespace chat
