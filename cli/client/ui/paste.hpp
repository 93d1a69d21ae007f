#pragma once

// A bracketed paste, put where the cursor is in the input line: one line
// goes into the input line; several wait for "send N lines? (y/n)", as
// irssi (paste_verify_line_count) and WeeChat (paste_max_lines) ask. Pure,
// unit-tested.

#include <string>
#include <vector>

namespace chat::ui {

struct pasted {
  /// The input line with the paste in it, split at the line breaks (\n,
  /// \r\n or \r); a break at the very end makes no empty last line.
  std::vector<std::u32string> lines;
  /// Where the cursor goes when there is one line: after the paste.
  size_t cursor = 0;
};

/// `paste` inserted into `input` at `cursor`.
pasted insert_paste(const std::u32string& input, size_t cursor,
                    const std::u32string& paste);

/// Several lines as one, for editing ("n" to the question): joined with
/// spaces, so nothing pasted is lost.
std::u32string join_lines(const std::vector<std::u32string>& lines);

} // namespace chat::ui
