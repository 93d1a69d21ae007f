#pragma once

// The secrets of a server node in secure mode, generated on first start and
// kept under `<state-dir>/secrets` (directory 0700, files 0600), so that a
// restart keeps the join code valid: the broker's administrator (loopback
// only, used by the server node itself) and member accounts, the Redis
// password, and the TLS key and self-signed certificate that the broker and
// the name server's TLS front present.

#include "adapters/common/state_files.hpp"
#include "config/join_code.hpp"

#include <caf/expected.hpp>

#include <string>

namespace chat {

struct server_secrets {
  /// `<state-dir>/secrets`.
  std::string dir;
  /// Full rights, admitted from loopback only: the server node's own
  /// connections (topology actor) and operators on the server host.
  std::string amqp_admin_user = "chat-admin";
  std::string amqp_admin_password;
  /// What the join code hands to clients (narrow permissions).
  std::string amqp_member_user = "chat-member";
  std::string amqp_member_password;
  /// Derives each user's broker password from the name and identity key
  /// (adapters/common/broker_account.hpp); never leaves the server nodes.
  std::string amqp_account_secret;
  /// The join code's Redis password: the member ACL user's
  /// (adapters/server/redis_config.hpp), and the Sentinels' of a cluster.
  std::string redis_password;
  /// Redis' `default` user: the server node's own connections and
  /// operators on the server host; never leaves the server nodes.
  std::string redis_admin_password;
  std::string key_file;
  std::string cert_file;
  /// SHA-256 of `cert_file`.
  fingerprint cert{};
};

/// Reads the secrets of `state_dir`, creating what is missing.
caf::expected<server_secrets> load_or_create_secrets(const std::string& state_dir);

/// The join code for these secrets and the server's TLS ports.
join_code make_join_code(const server_secrets& secrets, uint16_t amqp_tls_port,
                         uint16_t redis_tls_port, const std::string& amqp_vhost);

/// `<state-dir>/join-code`: the current code, mode 0600, for scripts on the
/// server host (scripts/run hands it to its client).
std::string join_code_file(const std::string& state_dir);

} // namespace chat
