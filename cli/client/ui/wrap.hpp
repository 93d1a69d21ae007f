#pragma once

// Word wrapping by terminal columns: wide characters (CJK, emoji) take two,
// combining marks none; a line too long for the window continues on rows
// indented under its text column ("12:04   bob │ " + text). Pure,
// unit-tested.

#include "cli/client/ui/styled_text.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace chat::ui {

/// Where each row of `text` starts (byte offsets; the first is 0) when it is
/// wrapped to `width` columns with continuation rows indented by `indent`:
/// at a space where there is one on the row (the spaces are not carried to
/// the next row), else after the last character that fits. A character is
/// never split, and a wide one never hangs over the edge.
std::vector<size_t> wrap_points(std::string_view text, size_t width, size_t indent);

/// `text` as rows of at most `width` columns, continuation rows starting
/// with `indent` spaces.
std::vector<std::string> wrap_text(std::string_view text, size_t width, size_t indent);

/// Where the text of a rendered line starts: after "│ " (messages) or after
/// the "HH:MM " time (notices); 0 for other lines.
size_t text_column(std::string_view plain);

/// `line` wrapped to `width` columns, indented under its text column (none
/// when that column would leave less than half the width for text).
std::vector<styled_line> wrap_styled(const styled_line& line, size_t width);

} // namespace chat::ui
