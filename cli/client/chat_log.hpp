#pragma once

// Per-chat logs (`chat.log-dir`), like irssi's autolog: plain text with
// timestamps, one file per chat and day, mode 0600 in a directory of mode
// 0700. Only what this client saw while it ran is logged.

#include "actors/client/chat_types.hpp"

#include <string>

namespace chat::cli {

/// "group-room-2026-11-29.log" for a message in group:room on that (local)
/// day; characters other than letters, digits, '_' and '-' become '_'.
std::string log_file_name(const std::string& chat, int64_t ts_ms);

/// "2026-11-29 18:28:03 bob: text" (local time; text without controls).
std::string log_line(const chat_event& ev);

/// Appends `ev` to its file under `dir` (created if needed); false if that
/// failed.
bool append_to_log(const std::string& dir, const chat_event& ev);

} // namespace chat::cli
