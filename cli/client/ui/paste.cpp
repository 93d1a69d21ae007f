#include "cli/client/ui/paste.hpp"

namespace chat::ui {

namespace {

bool line_break(char32_t c) {
  return c == U'\r' || c == U'\n';
}

/// Control characters other than tab are no text (the paste may carry
/// escape sequences of its own).
std::u32string without_controls(std::u32string_view text) {
  std::u32string result;
  for (auto c : text)
    if (c >= 0x20 || c == U'\t')
      result += c;
  return result;
}

} // namespace

pasted insert_paste(const std::u32string& input, size_t cursor,
                    const std::u32string& paste) {
  cursor = std::min(cursor, input.size());
  std::u32string_view body = paste;
  // One line break at the end sends nothing by itself.
  if (body.ends_with(U"\r\n"))
    body.remove_suffix(2);
  else if (!body.empty() && line_break(body.back()))
    body.remove_suffix(1);
  pasted result;
  if (body.find_first_of(U"\r\n") == std::u32string_view::npos) {
    auto clean = without_controls(body);
    result.lines.push_back(input.substr(0, cursor) + clean + input.substr(cursor));
    result.cursor = cursor + clean.size();
    return result;
  }
  auto text = input.substr(0, cursor) + std::u32string{body} + input.substr(cursor);
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && !line_break(text[i]))
      continue;
    result.lines.push_back(
        without_controls(std::u32string_view{text}.substr(start, i - start)));
    if (i + 1 < text.size() && text[i] == U'\r' && text[i + 1] == U'\n')
      ++i;
    start = i + 1;
  }
  return result;
}

std::u32string join_lines(const std::vector<std::u32string>& lines) {
  std::u32string result;
  for (auto& line : lines) {
    if (!result.empty() && !line.empty())
      result += U' ';
    result += line;
  }
  return result;
}

} // namespace chat::ui
