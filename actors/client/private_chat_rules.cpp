#include "actors/client/private_chat_rules.hpp"

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

std::string framed(std::string_view tag, std::initializer_list<std::string_view> fields) {
  std::string result{tag};
  for (auto x : fields) {
    result += '\n';
    result += std::to_string(x.size());
    result += ':';
    result += x;
  }
  return result;
}

std::string session_key_payload(std::string_view name, std::string_view identity,
                                std::string_view session_key) {
  return framed("chat-actors/session-key/v1", {name, identity, session_key});
}

std::string tls_cert_payload(std::string_view name, std::string_view identity,
                             std::string_view session_key, std::string_view cert) {
  return framed("chat-actors/tls-cert/v1", {name, identity, session_key, cert});
}

std::string pair_context(std::string_view name_a, std::string_view key_a,
                         std::string_view name_b, std::string_view key_b) {
  if (key_b < key_a) {
    std::swap(name_a, name_b);
    std::swap(key_a, key_b);
  }
  return framed("chat-actors/private/v2", {name_a, key_a, name_b, key_b});
}

std::string message_nonce(std::string_view sender_key, std::string_view receiver_key,
                          uint64_t seq) {
  std::string nonce(12, '\0');
  nonce[0] = sender_key < receiver_key ? 0 : 1;
  for (int i = 0; i < 8; ++i)
    nonce[4 + i] = static_cast<char>((seq >> (56 - 8 * i)) & 0xFF);
  return nonce;
}

std::string message_aad(std::string_view sender, std::string_view receiver,
                        uint64_t seq) {
  return framed("chat-actors/message/v2", {sender, receiver, std::to_string(seq)});
}

namespace {

constexpr char base64_digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    auto n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    for (int s = 18; s >= 0; s -= 6)
      out += base64_digits[(n >> s) & 0x3F];
  }
  if (auto rest = bytes.size() - i; rest > 0) {
    auto n = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out += base64_digits[(n >> 18) & 0x3F];
    out += base64_digits[(n >> 12) & 0x3F];
    out += rest == 2 ? base64_digits[(n >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    if (c == '+')
      return 62;
    if (c == '/')
      return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    auto last = i + 4 == text.size();
    auto pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    uint32_t n = 0;
    for (size_t k = 0; k < 4; ++k) {
      auto v = k >= 4 - static_cast<size_t>(pad) ? 0 : value(text[i + k]);
      if (v < 0)
        return std::nullopt;
      n = n << 6 | static_cast<uint32_t>(v);
    }
    out += static_cast<char>(n >> 16);
    if (pad < 2)
      out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1)
      out += static_cast<char>(n & 0xFF);
  }
  // Canonical only: the padding bits must be zero, so one text per message.
  if (base64_encode(out) != text)
    return std::nullopt;
  return out;
}

std::string chat_name(std::string_view peer) {
  return "private:" + std::string{peer};
}

} // namespace chat::private_chat
