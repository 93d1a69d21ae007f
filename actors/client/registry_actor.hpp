#pragma once

// The name registry over Redis (docs/protocol.md: key = user name, hash
// {ip_address, port}; ours add session, pubkey, kx, kx_sig, tls_port, tls_cert,
// tls_sig). Registration is an atomic
// Redis function (adapters/common/registry_functions.hpp) and a lease: the
// key expires after the TTL unless refreshed every TTL/3, so
// a crashed client frees its name; after a Redis restart the actor registers again. It
// also keeps the record of the session's persistent group subscriptions
// (subscriptions.hpp) with the lease: one Redis connection and one thread
// per client for both.
//
// Who is online: every lease write also sets the user's score in
// the sorted set `chat:online` to the lease end and trims ended leases, so
// `online_atom` lists every live user with its endpoint and groups in one
// round trip, without asking each client over the broker.

#include "actors/client/chat_types.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/common/redis_client.hpp"

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace chat {

/// The sorted set of live users: member = name, score = lease end (ms since
/// the epoch, Redis' clock). Names contain no ':', so no user key clashes.
inline constexpr const char* online_key = "chat:online";

/// Where a user's private-chat service listens.
struct endpoint {
  // A constructor, not an aggregate: `endpoint{host, port}` stays valid.
  endpoint() = default;
  endpoint(std::string host, uint16_t port, std::string public_key = {})
      : host(std::move(host)), port(port), public_key(std::move(public_key)) {}

  std::string host;
  uint16_t port = 0;
  /// The user's Ed25519 identity key (hex, hash field `pubkey`); empty for
  /// original clients.
  std::string public_key;
  /// This session's X25519 key (hex, field `kx`) and the identity key's
  /// signature of private_chat::session_key_payload (hex, field `kx_sig`).
  std::string session_key;
  std::string session_key_sig;
  /// The private-chat TLS port (field `tls_port`; `port` is the plaintext
  /// one for original clients in open mode, the TLS one otherwise), the
  /// SHA-256 of the session's certificate (hex, `tls_cert`) and the identity
  /// key's signature of private_chat::tls_cert_payload (hex, `tls_sig`).
  uint16_t tls_port = 0;
  std::string tls_cert;
  std::string tls_sig;
  friend bool operator==(const endpoint&, const endpoint&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, endpoint& x) {
  return f(caf::meta::type_name("endpoint"), x.host, x.port, x.public_key, x.session_key,
           x.session_key_sig, x.tls_port, x.tls_cert, x.tls_sig);
}

/// register: claims `name` for this session (empty host = the address of
/// the interface facing Redis). lookup: a user's endpoint. unregister:
/// frees our name if we still own it. join/leave: records (forgets) a
/// persistent subscription of this session to a group. groups: every group
/// this session is in (field `groups` of our hash). online: every user whose
/// lease has not ended, with endpoint and groups, ourselves included.
using registry_actor = caf::typed_actor<
    caf::replies_to<register_atom, std::string, endpoint>::with<endpoint>,
    caf::replies_to<lookup_atom, std::string>::with<endpoint>,
    caf::replies_to<unregister_atom>::with<ok_atom>, caf::reacts_to<refresh_atom>,
    caf::reacts_to<join_atom, std::string>, caf::reacts_to<leave_atom, std::string>,
    caf::reacts_to<groups_atom, std::vector<std::string>>,
    caf::replies_to<online_atom>::with<std::vector<peer_info>>>;

/// A random session token (128 bits, hex).
std::string make_session_token();

struct registry_actor_state {
  ~registry_actor_state();

  /// Calls the register function; true if the name is ours now.
  caf::expected<bool> claim();

  /// Extends the lease; false if the key is gone or not ours.
  caf::expected<bool> extend();

  /// Writes `chat:subscriptions:<user>` as `subscriptions` says, expiring
  /// with the lease; false if the name server failed.
  bool record_subscriptions();

  /// Writes `groups` into our hash; false if the name server failed.
  bool record_groups();

  /// Every live user: one function call, one round trip.
  caf::expected<std::vector<peer_info>> online();

  /// Tells the listener what happened, as (event_atom, text).
  void notify(std::string text);

  /// Our connection to the name server.
  std::unique_ptr<redis_client> redis;
  /// Lease length; refreshed every ttl/3.
  caf::timespan ttl{};
  /// Gets registry events (re-registered, lease lost, unreachable).
  caf::actor listener;
  /// Registered user name, empty before register.
  std::string user;
  /// Random token of this session; the hash holds its SHA-1 as `session`.
  std::string session = make_session_token();
  /// What we published.
  endpoint published;
  /// Whether the name server failed on the last attempt.
  bool unreachable = false;
  /// Groups this session is subscribed to persistently: the server node
  /// re-binds them after a broker restart.
  std::set<std::string> subscriptions;
  /// Every group this session is in, comma-separated (persistent and
  /// transient), as discovery answers carry them.
  std::string groups;
  /// Whether the last write of `groups` failed (the next refresh retries).
  bool groups_stale = false;

  static inline const char* name = "registry";
};

using registry_actor_pointer = registry_actor::stateful_pointer<registry_actor_state>;

registry_actor::behavior_type registry_actor_impl(registry_actor_pointer self,
                                                  redis_settings settings,
                                                  caf::timespan ttl, caf::actor listener);

/// Spawns the registry detached: hiredis calls block (with timeouts).
registry_actor spawn_registry(caf::actor_system& sys, redis_settings settings,
                              caf::timespan ttl, caf::actor listener = {});

} // namespace chat
