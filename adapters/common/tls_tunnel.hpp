#pragma once

// A client-side TLS tunnel for the name server: hiredis 0.14 speaks no TLS,
// so it connects to this adapter on 127.0.0.1, and every connection is
// carried on to the server node's TLS port, whose certificate must be the
// one the join code pins (adapters/common/tls.hpp). Nothing is forwarded before the
// pinned handshake succeeded, so the Redis password never reaches a rogue.
// One Asio thread; no actor messages (the owner only reads `local_port`).

#include "config/join_code.hpp"

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <functional>
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

/// Asks the Sentinel behind the TLS front at `host`:`port` (pinned,
/// authenticated with `password`) for the address of the name server's
/// master. Errors: unreachable, untrusted, no answer.
caf::expected<std::string> sentinel_master_tls(const std::string& host, uint16_t port,
                                               const fingerprint& pin,
                                               const std::string& password,
                                               caf::timespan timeout);

/// Where a tunnel's next connection goes: a host (the port is fixed).
using tunnel_target = std::function<caf::expected<std::string>()>;

class tls_tunnel {
public:
  ~tls_tunnel();
  tls_tunnel(const tls_tunnel&) = delete;
  tls_tunnel& operator=(const tls_tunnel&) = delete;

  /// Listens on 127.0.0.1 (a free port) and forwards to `host`:`port`.
  static caf::expected<std::unique_ptr<tls_tunnel>>
  start(const std::string& host, uint16_t port, const fingerprint& pin);

  /// A cluster: every new connection goes to the host `target` names at
  /// that moment (the current master), so a reconnect follows a failover.
  static caf::expected<std::unique_ptr<tls_tunnel>>
  start(tunnel_target target, uint16_t port, const fingerprint& pin);

  /// Where hiredis connects.
  uint16_t local_port() const;

private:
  tls_tunnel() = default;
  /// Both `start`s: `follow` may be empty (a fixed target).
  static caf::expected<std::unique_ptr<tls_tunnel>> start_at(const std::string& host,
                                                             uint16_t port,
                                                             const fingerprint& pin,
                                                             tunnel_target follow);
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace chat
