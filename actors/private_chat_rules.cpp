#include "actors/private_chat_rules.hpp"

namespace chat::private_chat {

bool valid_utf8(std::string_view text) {
  auto n = text.size();
  size_t i = 0;
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n)
      return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::string text_problem(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes)
    return "message too long: " + std::to_string(text.size()) + " bytes, at most " +
           std::to_string(max_bytes);
  if (!valid_utf8(text))
    return "message is not valid UTF-8";
  return {};
}

std::string displayable(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F)
      continue;
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        ++i;
        continue;
      }
    }
    result += static_cast<char>(c);
  }
  return result;
}

std::string signed_payload(std::string_view sender, std::string_view receiver,
                           std::string_view receiver_key, std::string_view text,
                           uint64_t seq) {
  std::string result = "chat-actors/private/v1";
  auto field = [&](std::string_view x) {
    result += '\n';
    result += std::to_string(x.size());
    result += ':';
    result += x;
  };
  field(sender);
  field(receiver);
  field(receiver_key);
  field(text);
  field(std::to_string(seq));
  return result;
}

std::string chat_name(std::string_view peer) {
  return "private:" + std::string{peer};
}

} // namespace chat::private_chat
