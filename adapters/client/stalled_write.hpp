#pragma once

// Writing to a terminal that may take no output (XOFF, a stalled link):
// both front ends (line editor, full screen) give it a short grace and then
// drop what it did not take, so that reading keys never stops for long.

#include <chrono>
#include <string_view>

namespace chat {

/// How long a front end waits for a terminal that takes no output.
inline constexpr auto stall_grace = std::chrono::milliseconds{200};

/// Writes all of `data` to the non-blocking `fd`; false if it did not take
/// all of it within `grace` (the rest is not written) or failed.
bool write_within(int fd, std::string_view data,
                  std::chrono::milliseconds grace = stall_grace);

} // namespace chat
