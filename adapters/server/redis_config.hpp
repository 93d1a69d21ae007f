#pragma once

// The configuration file of a managed redis-server (mode 0600: passwords
// never appear on a command line) and the ACL that keeps members from
// administering it.

#include <cstdint>
#include <optional>
#include <string>

namespace chat {

struct redis_config {
  uint16_t port = 0;
  /// Redis' `bind` line ("127.0.0.1 -::1" behind the TLS front).
  std::string bind;
  std::string dir;
  /// `maxmemory` in bytes (0: none).
  int64_t max_memory = 0;
  /// The `default` user's password, the server node's own; empty: none
  /// (open mode, protected mode off).
  std::string admin_password;
  /// Secure mode: the join code's password, for the member ACL user.
  std::optional<std::string> member_password;
  /// Lines appended as they are (a cluster node's persistence, replication).
  std::string extra;
};

/// The ACL rules of the member user (after `user <name> on >password`):
/// `PING`, reading every key, `FCALL` of the registry's functions and the
/// commands those run, the subscription record's set commands; no
/// administration (`CONFIG`, `ACL`, `CLIENT`, `MONITOR`, `REPLICAOF`,
/// `SHUTDOWN`, `FLUSH*`, `DEBUG`, `SAVE`), no scripts of its own (`EVAL`,
/// `FUNCTION`), no Pub/Sub, no string or list commands.
std::string member_acl_rules();

/// The text of `redis.conf` for `c`: no persistence unless `extra` asks for
/// it, a memory bound that evicts the least recently used keys, requests
/// bounded to what the registry needs.
std::string redis_conf_text(const redis_config& c);

/// Deletes what a Redis left in `dir` to load on its next start (RDB and
/// AOF files): a single node's registry is rebuilt by the clients within a
/// lease, so nothing written before (or planted) survives a restart.
void wipe_redis_data(const std::string& dir);

} // namespace chat
