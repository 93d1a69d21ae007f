#pragma once

// Where a user's or a node's state lives on disk, and how its secrets are
// written there.

#include <caf/error.hpp>

#include <string>

namespace chat {

/// $XDG_STATE_HOME/chat-actors or ~/.local/state/chat-actors.
std::string default_state_dir();

/// Writes `text` to `path` with mode 0600 (replacing it).
caf::error write_private_file(const std::string& path, const std::string& text);

} // namespace chat
