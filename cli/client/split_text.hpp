#pragma once

// Long messages are split as irssi and WeeChat split long lines: into
// pieces of at most the message limit, at the last space that leaves a
// piece at least half full, else at a UTF-8 character boundary (never
// inside a character). Pure, unit-tested.

#include <string>
#include <string_view>
#include <vector>

namespace chat::cli {

/// `text` in pieces of at most `max_bytes` bytes (one piece if it fits);
/// the space a piece is split at is dropped, nothing else is.
std::vector<std::string> split_text(std::string_view text, size_t max_bytes);

} // namespace chat::cli
