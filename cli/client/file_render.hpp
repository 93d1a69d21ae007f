#pragma once

// File transfer events as terminal lines (docs/files.md): for people, or
// one plain or JSON line for scripts (`file_offer`, `file_progress`,
// `file_done`, `file_failed`, `file_info`). Pure, unit-tested.

#include "actors/client/file_types.hpp"
#include "cli/client/render.hpp"

#include <string>

namespace chat::cli {

/// One line for a file event.
std::string render(const file_event& ev, const render_options& opts);

/// The JSON `type` of a file event ("file_offer", …).
std::string file_event_type(const file_event& ev);

} // namespace chat::cli
