#pragma once

// Name server (Redis) keys that the server node writes and clients read.

namespace chat {

/// The registry key every node refreshes with its address → last seen.
inline constexpr const char* members_key = "chat:cluster:members";

/// The name server's ACL user for members (secure mode): the join code's
/// password logs in as this user, which may call the registry's functions
/// and little else (adapters/server/redis_acl.hpp). Redis' `default` user
/// is the server node's own.
inline constexpr const char* redis_member_user = "chat-member";

} // namespace chat
