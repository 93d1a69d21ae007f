#pragma once

// A blocking hiredis connection with timeouts. Owned by exactly one actor
// (a detached one: every call may block up to the timeout). Reconnects
// lazily: after an I/O error the next command dials again.

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include "adapters/common/server_list.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct redisContext;

namespace caf {
class actor_system_config;
}

namespace chat {

/// A Redis reply, copied out of hiredis' reply tree.
struct redis_reply {
  enum class kind { nil, integer, string, status, array, error };
  kind type = kind::nil;
  int64_t integer = 0;
  std::string str;
  std::vector<redis_reply> elements;
};

struct redis_settings {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  /// The ACL user to log in as; empty: Redis' `default` user.
  std::string user;
  std::string password;
  int64_t db = 0;
  caf::timespan timeout = std::chrono::seconds{1};
  /// When a tunnel sits in between (secure mode: host is 127.0.0.1), the
  /// address of the interface that faces the real server, which
  /// `local_address` reports instead of the socket's own.
  std::string local_address;
  /// A cluster: the registry adds the members the server nodes
  /// publish (`chat:cluster:members`) to this list, for failover.
  std::shared_ptr<server_list> cluster_members;
};

/// chat.redis-port, chat.redis-db and chat.redis-password, for `host`.
redis_settings read_redis_settings(const caf::actor_system_config& cfg,
                                   const std::string& host);

class redis_client {
public:
  explicit redis_client(redis_settings settings);
  ~redis_client();
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  /// Runs one command; a Redis error reply is returned as a value of kind
  /// `error`, an I/O failure as `errc::redis_unavailable`.
  caf::expected<redis_reply> command(const std::vector<std::string>& args);

  /// Runs a Lua script by its SHA1 (EVALSHA), loading it once per server,
  /// so the script text crosses the network only the first time (and again
  /// after a Redis restart). `args` = numkeys, keys, arguments.
  caf::expected<redis_reply> eval(const std::string& script,
                                  std::vector<std::string> args);

  /// The local IP address of the connection (the interface facing Redis),
  /// empty when not connected.
  std::string local_address() const;

  bool connected() const { return ctx_ != nullptr; }

  void disconnect();

  const redis_settings& settings() const { return settings_; }

private:
  caf::error connect();

  redis_settings settings_;
  redisContext* ctx_ = nullptr;
  /// SHA1 of each script loaded, by script text.
  std::map<std::string, std::string> script_shas_;
};

} // namespace chat
