#pragma once

// Name server (Redis) keys that the server node writes and clients read.

namespace chat {

/// The registry key every node refreshes with its address → last seen.
inline constexpr const char* members_key = "chat:cluster:members";

} // namespace chat
