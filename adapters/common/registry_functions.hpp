#pragma once

// The registry's lease logic as a Redis function library (Redis 7
// functions). The server node loads it into its name server; members may
// call these functions (FCALL) but no script of their own (EVAL), so a
// member cannot run `while true do end` in Redis, and every lease a
// function writes has a TTL.
//
// Every function that writes a lease also writes it into `chat:online`
// (score = lease end by Redis' clock) and drops the leases that ended.

#include "adapters/common/redis_client.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace chat::registry_functions {

/// The library's name (`FUNCTION LIST LIBRARYNAME`).
inline constexpr std::string_view library = "chat_registry";

/// KEYS name, chat:online; ARGV ip, port, session token, ttl ms, identity
/// key, session key, its signature, TLS port, certificate, its signature,
/// groups. 1: the name is ours now; 0: another session holds it.
inline constexpr std::string_view register_lease = "chat_register";
/// KEYS name, chat:online; ARGV session token, ttl ms. 0: not ours.
inline constexpr std::string_view refresh_lease = "chat_refresh";
/// KEYS name, chat:online; ARGV session token.
inline constexpr std::string_view unregister_lease = "chat_unregister";
/// KEYS name; ARGV session token, groups ("a,b").
inline constexpr std::string_view set_groups = "chat_groups";
/// KEYS chat:online: name, ip_address, port, groups, ... of each live lease.
inline constexpr std::string_view online = "chat_online";
/// No keys: the library's version (what the server node checks).
inline constexpr std::string_view version = "chat_registry_version";

/// Every function a member may call.
inline constexpr std::array<std::string_view, 5> member_functions{
    register_lease, refresh_lease, unregister_lease, set_groups, online};

/// The commands the functions run, which a member's ACL must allow (Redis
/// checks a function's commands against the caller's permissions).
inline constexpr std::array<std::string_view, 11> commands_used{
    "time",    "hget", "hmget", "exists",           "hset",
    "pexpire", "zadd", "zrem",  "zremrangebyscore", "zrangebyscore",
    "del"};

/// The library's source (`FUNCTION LOAD`).
const std::string& source();

/// The version `version` returns for this build's `source()`.
std::string_view current_version();

/// Loads (or replaces) the library on `redis`; an error names the reply.
caf::error load(redis_client& redis);

/// Whether `redis` has this build's library (the version function answers
/// with `current_version()`).
bool loaded(redis_client& redis);

/// FCALL `function` with `keys` and `args`. A Redis without the library (an
/// open one that no chat-actors server node manages) gets it loaded once;
/// where a member may not load it, the error says so.
caf::expected<redis_reply> call(redis_client& redis, std::string_view function,
                                const std::vector<std::string>& keys,
                                const std::vector<std::string>& args);

} // namespace chat::registry_functions
