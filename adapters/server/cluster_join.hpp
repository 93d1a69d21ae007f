#pragma once

// Joining a cluster of server nodes. A new node names any live
// member (`chat.join`); both know the cluster secret. The newcomer sends
// the member's LAN locator one datagram
//   CLUSTER_JOIN:<nonce>:<own address>:<HMAC-SHA-256(auth key, nonce|address)>
// and the member answers with the cluster's bundle (its secrets, certificate,
// members and current Redis master) sealed with ChaCha20-Poly1305 under a key
// derived from the secret, or "CLUSTER_REFUSED:<nonce>" when the MAC is
// wrong. Nobody without the secret learns anything, and nobody without it
// can hand a newcomer a forged bundle. A refusal itself is not
// authenticated: a rogue can only make the join fail (and the newcomer says
// which address refused).

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::cluster {

inline constexpr std::string_view join_prefix = "CLUSTER_JOIN:";
inline constexpr std::string_view bundle_prefix = "CLUSTER_BUNDLE:";
inline constexpr std::string_view refused_prefix = "CLUSTER_REFUSED:";

/// What a joining node takes over from the member that answers.
struct bundle {
  /// The member that answered.
  std::string node;
  /// Every node address the member knows (itself included).
  std::vector<std::string> members;
  /// Address of the current Redis master; empty if unknown.
  std::string redis_master;
  /// `<state-dir>/secrets` files: secrets.conf, server.key, server.crt.
  std::string secrets_conf;
  std::string key_pem;
  std::string cert_pem;

  friend bool operator==(const bundle&, const bundle&) = default;
};

/// The Erlang cookie of every RabbitMQ node of the cluster.
std::string erlang_cookie(std::string_view secret);

/// The join request of `node` (its address), with a fresh `nonce` (hex).
std::string make_request(std::string_view secret, std::string_view nonce,
                         std::string_view node);

struct request {
  std::string nonce;
  std::string node;
  /// Whether the MAC proves the sender knows the secret.
  bool authentic = false;
};

/// A join request, or nothing if `payload` is not one.
std::optional<request> parse_request(std::string_view secret, std::string_view payload);

/// The sealed answer to request `nonce`.
std::string make_bundle_reply(std::string_view secret, std::string_view nonce,
                              const bundle& b);

std::string make_refusal(std::string_view nonce);

enum class answer_kind { unrelated, bundle, refused };

/// Reads an answer to our request `nonce`; fills `out` for a bundle. A
/// bundle that does not open under our secret is `unrelated`.
answer_kind parse_answer(std::string_view secret, std::string_view nonce,
                         std::string_view payload, bundle& out);

/// Asks the member at `host`:`port` (its LAN locator) for the bundle,
/// repeating the request every second until `timeout`. Errors, one line
/// each: nothing answers; the member refused (wrong secret).
caf::expected<bundle> fetch_bundle(const std::string& host, uint16_t port,
                                   std::string_view secret, const std::string& node,
                                   caf::timespan timeout);

/// The bundle this node hands out: its secrets dir plus what it knows.
caf::expected<bundle> local_bundle(const std::string& state_dir, std::string node,
                                   std::vector<std::string> members,
                                   std::string redis_master);

/// Writes the secrets of `b` into `<state_dir>/secrets` (0700/0600).
caf::error install_secrets(const std::string& state_dir, const bundle& b);

/// The text form inside the seal (exposed for tests).
std::string encode(const bundle& b);
std::optional<bundle> decode(std::string_view text);

} // namespace chat::cluster
