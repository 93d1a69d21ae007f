#pragma once

// Whether a line mentions the user: the name as a word of its own
// ("alice:", "@alice", "hi alice!" but not "malice" or "alice_2"), any
// letter case. Pure, unit-tested.

#include <string_view>

namespace chat::ui {

bool mentions(std::string_view text, std::string_view name);

} // namespace chat::ui
