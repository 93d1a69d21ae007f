#include "cli/client/ui/highlight.hpp"

#include "adapters/client/text_width.hpp"

namespace chat::ui {

namespace {

/// Part of a name: letters, digits, '_', '-' and letters beyond ASCII (so
/// "aliceñ" is another word); Latin-1, general and CJK punctuation is not
/// ("¿alice?", "alice、").
bool word_char(char32_t c) {
  if (c < 0x80)
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '_' || c == '-';
  return !(c <= 0xbf || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) ||
           (c >= 0xff00 && c <= 0xff0f) || c == 0xd7 || c == 0xf7);
}

/// The code point that ends just before byte `at`.
char32_t before(std::string_view text, size_t at) {
  auto start = at - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xc0) == 0x80)
    --start;
  return next_code_point(text, start);
}

char32_t after(std::string_view text, size_t at) {
  return next_code_point(text, at);
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_at(std::string_view text, size_t at, std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i)
    if (lower(text[at + i]) != lower(name[i]))
      return false;
  return true;
}

} // namespace

bool mentions(std::string_view text, std::string_view name) {
  if (name.empty() || text.size() < name.size())
    return false;
  for (size_t at = 0; at + name.size() <= text.size(); ++at) {
    if (at > 0 && word_char(before(text, at)))
      continue;
    auto end = at + name.size();
    if (end < text.size() && word_char(after(text, end)))
      continue;
    if (equal_at(text, at, name))
      return true;
  }
  return false;
}

} // namespace chat::ui
