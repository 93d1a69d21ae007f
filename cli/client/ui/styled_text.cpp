#include "cli/client/ui/styled_text.hpp"

#include <charconv>

namespace chat::ui {

namespace {

/// Applies the parameters of one SGR sequence ("1;38;5;32").
void apply_sgr(std::string_view params, text_style& style) {
  std::vector<int> codes;
  while (true) {
    auto semi = params.find(';');
    auto part = params.substr(0, semi);
    int code = 0;
    std::from_chars(part.data(), part.data() + part.size(), code);
    codes.push_back(code);
    if (semi == std::string_view::npos)
      break;
    params.remove_prefix(semi + 1);
  }
  for (size_t i = 0; i < codes.size(); ++i) {
    auto code = codes[i];
    if (code == 0)
      style = {};
    else if (code == 1)
      style.bold = true;
    else if (code == 2)
      style.dim = true;
    else if (code == 7)
      style.reverse = true;
    else if (code == 22)
      style.bold = style.dim = false;
    else if (code >= 30 && code <= 37)
      style.fg = code - 30;
    else if (code >= 90 && code <= 97)
      style.fg = code - 90 + 8;
    else if (code == 39)
      style.fg = -1;
    else if (code == 38 && i + 2 < codes.size() && codes[i + 1] == 5) {
      style.fg = codes[i + 2];
      i += 2;
    }
  }
}

} // namespace

styled_line parse_sgr(std::string_view line) {
  styled_line result;
  text_style style;
  std::string text;
  auto flush = [&] {
    if (!text.empty())
      result.push_back({std::move(text), style});
    text.clear();
  };
  for (size_t i = 0; i < line.size();) {
    if (line[i] != '\033') {
      text += line[i++];
      continue;
    }
    // ESC [ parameters final-byte; anything else after ESC is dropped too.
    if (i + 1 < line.size() && line[i + 1] == '[') {
      auto end = i + 2;
      while (end < line.size() && (line[end] < 0x40 || line[end] > 0x7e))
        ++end;
      if (end < line.size() && line[end] == 'm') {
        flush();
        apply_sgr(line.substr(i + 2, end - i - 2), style);
      }
      i = end + 1;
    } else {
      i += 2;
    }
  }
  flush();
  return result;
}

std::string plain_text(const styled_line& line) {
  std::string result;
  for (auto& run : line)
    result += run.text;
  return result;
}

styled_line slice(const styled_line& line, size_t from, size_t to) {
  styled_line result;
  size_t pos = 0;
  for (auto& run : line) {
    auto begin = pos;
    auto end = pos + run.text.size();
    pos = end;
    if (end <= from || begin >= to)
      continue;
    auto first = std::max(begin, from) - begin;
    auto last = std::min(end, to) - begin;
    result.push_back({run.text.substr(first, last - first), run.style});
  }
  return result;
}

} // namespace chat::ui
