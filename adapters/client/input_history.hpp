#pragma once

// The line editor's input history on disk: one file per user name (people
// sharing a machine account do not see each other's lines), mode 0600, one
// line per entry. A session merges what it keeps into the file at exit (the
// file is read again and appended to), never overwriting what is there.

#include <cstddef>
#include <string>
#include <vector>

namespace chat {

/// Entries kept in a history file (the oldest go first).
inline constexpr size_t input_history_lines = 1000;

/// `dir`/history-<user>, after creating `dir` (mode 0700); empty when
/// `dir` is empty or cannot be created.
std::string input_history_file(const std::string& dir, const std::string& user);

/// The entries of the history file at `path`; none if there is no file.
std::vector<std::string> load_input_history(const std::string& path);

/// `before` followed by `added`, without an entry equal to the one before
/// it, at most `max_lines` (the newest).
std::vector<std::string> merge_input_history(std::vector<std::string> before,
                                             const std::vector<std::string>& added,
                                             size_t max_lines);

/// Replaces the file at `path` with `lines`, atomically (a new file of mode
/// 0600 renamed over it). False if that failed.
bool save_input_history(const std::string& path, const std::vector<std::string>& lines);

} // namespace chat
