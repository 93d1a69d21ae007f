#pragma once

// How many terminal columns UTF-8 text takes. Pure, and independent of the
// process locale (so tests and the line editor's own arithmetic agree).

#include <cstddef>
#include <string_view>

namespace chat {

/// Columns `text` (UTF-8) takes on a terminal: East Asian wide characters
/// and emoji 2, combining marks, joiners and variation selectors 0, others
/// (and each byte of invalid UTF-8) 1. The same answers as glibc's wcwidth
/// in a UTF-8 locale for these.
size_t display_width(std::string_view text);

/// Columns one code point takes (0, 1 or 2), as display_width counts them.
size_t code_point_width(char32_t c);

/// Decodes the code point at `text[pos]` and advances `pos` past it; an
/// invalid or truncated sequence yields U+FFFD for its first byte only.
char32_t next_code_point(std::string_view text, size_t& pos);

} // namespace chat
