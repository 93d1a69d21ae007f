#pragma once

// A client-side TLS tunnel for the name server: hiredis 0.14 speaks no TLS,
// so it connects to this adapter on 127.0.0.1, and every connection is
// carried on to the server node's TLS port, whose certificate must be the
// one the join code pins (adapters/tls.hpp). Nothing is forwarded before the
// pinned handshake succeeded, so the Redis password never reaches a rogue.
// One Asio thread; no actor messages (the owner only reads `local_port`).

#include "config/join_code.hpp"

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <memory>
#include <string>

namespace chat {

/// What a pinned probe of a server's TLS port found.
struct tls_probe {
  /// The address of our end of the connection (the interface facing the
  /// server), for publishing in the registry.
  std::string local_address;
};

/// Connects to `host`:`port` and does a pinned TLS handshake, then hangs
/// up. Errors: unreachable, or "server at … does not match the join code's
/// certificate" (errc::untrusted_server).
caf::expected<tls_probe> probe_pinned(const std::string& host, uint16_t port,
                                      const fingerprint& pin, caf::timespan timeout);

class tls_tunnel {
public:
  ~tls_tunnel();
  tls_tunnel(const tls_tunnel&) = delete;
  tls_tunnel& operator=(const tls_tunnel&) = delete;

  /// Listens on 127.0.0.1 (a free port) and forwards to `host`:`port`.
  static caf::expected<std::unique_ptr<tls_tunnel>>
  start(const std::string& host, uint16_t port, const fingerprint& pin);

  /// Where hiredis connects.
  uint16_t local_port() const;

private:
  tls_tunnel() = default;
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace chat
