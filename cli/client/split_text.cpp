#include "cli/client/split_text.hpp"

namespace chat::cli {

namespace {

bool continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

std::vector<std::string> split_text(std::string_view text, size_t max_bytes) {
  std::vector<std::string> pieces;
  if (max_bytes < 4) // a piece must hold any one character
    max_bytes = 4;
  while (text.size() > max_bytes) {
    auto cut = max_bytes;
    while (cut > 0 && continuation_byte(text[cut]))
      --cut;
    auto space = text.rfind(' ', cut);
    if (space != std::string_view::npos && space >= max_bytes / 2) {
      pieces.emplace_back(text.substr(0, space));
      text.remove_prefix(space + 1);
    } else {
      pieces.emplace_back(text.substr(0, cut));
      text.remove_prefix(cut);
    }
  }
  if (!text.empty() || pieces.empty())
    pieces.emplace_back(text);
  return pieces;
}

} // namespace chat::cli
