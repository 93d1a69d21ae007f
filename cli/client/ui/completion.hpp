#pragma once

// Tab completion in the full-screen client's input line: commands after a
// leading '/', user names (with ": " at the start of a line, "nick: "),
// group names after '#' or after /join, /open and /leave, users after /msg.
// Pure, unit-tested.

#include <string>
#include <vector>

namespace chat::ui {

struct completion_words {
  /// "/msg", "/join", … (with the slash).
  std::vector<std::string> commands;
  /// Online users and chat partners.
  std::vector<std::string> users;
  /// Groups known from discovery and our own.
  std::vector<std::string> groups;
};

struct completion {
  /// Byte offset of the word being completed in the line.
  size_t word_start = 0;
  /// What may replace the word (with a trailing ": " or " "), sorted.
  std::vector<std::string> candidates;
};

/// The candidates for the word that ends at byte `cursor` of `line`.
completion complete(const std::string& line, size_t cursor,
                    const completion_words& words);

} // namespace chat::ui
